# language: sv
Egenskap: Inriktningar, utlåtanden och terminer, värde för värde (CSI-A2, CSI-K4, CSI-R4)
  Varje inriktning och varje typ av specialistutlåtande i parametrarna prövas, så att en
  inriktning eller en utlåtandetyp som tas bort eller läggs till får minst ett scenario att
  fallera (tests/param_guard.py visar det). Från 2026-01-01 styrks AST av psykolog eller läkare,
  TSK av logoped, HORSEL av audionom eller läkare och NPF av psykolog eller läkare.
  Höstterminen är 1 augusti–31 december och följs upp senast 17 december, vårterminen
  1 januari–30 juni och följs upp senast 16 juni.

  Bakgrund:
    Givet en ansökan om CSI-plats mottagen "2026-04-01"

  @CSI-A2 @CSI-K4
  Scenariomall: Utlåtandet från <typ> för inriktningen <inriktning>
    Givet ansökan gäller inriktningen "<inriktning>"
    Och eleven går i årskurs 5
    Och specialistutlåtandet är från "<typ>" och daterat "2025-11-01"
    När ansökan prövas den "2026-04-10"
    Så är regel "CSI-A2" uppfylld
    Och är regel "CSI-K4" <status>
    Och blir utfallet "<utfall>"

    Exempel:
      | inriktning | typ      | status        | utfall                |
      | AST        | psykolog | uppfylld      | till_placeringsomgang |
      | AST        | lakare   | uppfylld      | till_placeringsomgang |
      | AST        | logoped  | inte uppfylld | komplettering         |
      | AST        | audionom | inte uppfylld | komplettering         |
      | TSK        | logoped  | uppfylld      | till_placeringsomgang |
      | TSK        | psykolog | inte uppfylld | komplettering         |
      | TSK        | lakare   | inte uppfylld | komplettering         |
      | TSK        | audionom | inte uppfylld | komplettering         |
      | HORSEL     | audionom | uppfylld      | till_placeringsomgang |
      | HORSEL     | lakare   | uppfylld      | till_placeringsomgang |
      | HORSEL     | psykolog | inte uppfylld | komplettering         |
      | HORSEL     | logoped  | inte uppfylld | komplettering         |
      | NPF        | psykolog | uppfylld      | till_placeringsomgang |
      | NPF        | lakare   | uppfylld      | till_placeringsomgang |
      | NPF        | logoped  | inte uppfylld | komplettering         |
      | NPF        | audionom | inte uppfylld | komplettering         |

  @CSI-R4
  Scenariomall: Terminens första och sista dag och uppföljningen (<termin>)
    Givet en placeringsomgång för "<termin>" med grupperna:
      | id         | inriktning | skolenhet | årskurser | platser | tagna |
      | CSI-NPF-03 | NPF        | 40065517  | 1-3       | 5       | 0     |
    Och ansökningarna:
      | id  | inriktning | årskurs | behovsnivå | mottagen   |
      | T-1 | NPF        | 2       | 3          | <mottagen> |
    När omgången körs den "<körs>"
    Så får "T-1" plats i gruppen "CSI-NPF-03"
    Och gäller för ansökan "T-1"
    Och är regel "CSI-R4" uppfylld
    Och innehåller motiveringen för regel "CSI-R4" "Placeringen gäller <första>–<sista> (<namn>) och följs upp senast <uppföljning>."

    Exempel:
      | termin | mottagen   | körs       | första     | sista            | namn              | uppföljning      |
      | HT2026 | 2026-05-01 | 2026-07-31 | 1 augusti  | 31 december 2026 | höstterminen 2026 | 17 december 2026 |
      | VT2027 | 2026-10-01 | 2026-12-01 | 1 januari  | 30 juni 2027     | vårterminen 2027  | 16 juni 2027     |
