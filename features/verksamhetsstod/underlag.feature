# language: sv
Egenskap: Underlag – när komplettering begärs (VS-K1–VS-K7)
  Ansökan prövas i sak först när underlagen finns. Saknas något begärs komplettering: allt
  som saknas räknas upp på en gång, med sista dag att skicka in det (14 dagar efter beslutet).

  VS-K1: Ett åtgärdsprogram är bifogat (skollagen 3 kap. 9 §: "Vi kräver att det finns ett
  åtgärdsprogram").
  VS-K2: Åtgärdsprogrammet är "daterat och underskrivet av rektor", högst 12 månader före
  mottagandet. Prövas bara när det finns ett åtgärdsprogram.
  VS-K3: En utredning enligt skollagen 3 kap. 7 § är bifogad, daterad högst 24 månader före
  mottagandet.
  VS-K4: Skolan har utvärderat de extra anpassningar som prövats (skollagen 3 kap. 5 §: "man
  måste ha försökt").
  VS-K5: Elevens behov är beskrivet i ord. "Diagnos utgör inte ett självständigt kriterium":
  en diagnos utan beskrivning räcker inte.
  VS-K6: Vid förlängning finns en utvärdering av föregående period. Gäller inte en första ansökan.
  VS-K7: Vårdnadshavarna är informerade om ansökan.

  "Inom N månader före mottagandet" betyder att dokumentet är daterat samma dag N
  kalendermånader före mottagningsdagen eller senare (2026-03-02 minus 12 månader är
  2025-03-02); finns inte dagen i månaden gäller månadens sista dag.

  Bakgrund:
    Givet en ansökan om verksamhetsstöd mottagen "2026-03-02"

  @VS-K1 @VS-K2
  Scenario: Åtgärdsprogram finns, är aktuellt och underskrivet
    Givet åtgärdsprogrammet är daterat "2026-01-10" och underskrivet av rektor
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-K1" uppfylld
    Och är regel "VS-K2" uppfylld
    Och blir utfallet "bifall"

  @VS-K1 @VS-K2
  Scenario: Åtgärdsprogram saknas
    Givet inget åtgärdsprogram är bifogat
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K1"
    Och är regel "VS-K1" inte uppfylld
    Och är regel "VS-K2" inte prövad
    Och är sista dag för komplettering "2026-03-24"
    Och innehåller beslutstexten "Skicka in följande senast 24 mars 2026:"
    Och innehåller beslutstexten "1. Åtgärdsprogram för eleven, underskrivet av rektor och daterat tidigast 2 mars 2025."

  @VS-K2
  Scenario: Åtgärdsprogrammet är inte underskrivet av rektor
    Givet åtgärdsprogrammet är daterat "2026-01-10" men inte underskrivet av rektor
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K2"
    Och är regel "VS-K1" uppfylld
    Och är regel "VS-K2" inte uppfylld
    Och innehåller motiveringen för regel "VS-K2" "underskrivet av rektor: nej"

  @VS-K2
  Scenariomall: Åtgärdsprogrammets ålder, mottagen <mottagen>, daterat <datum>
    Givet en ansökan om verksamhetsstöd mottagen "<mottagen>"
    Och åtgärdsprogrammet är daterat "<datum>" och underskrivet av rektor
    När ansökan prövas den "<mottagen>"
    Så är regel "VS-K2" <status>
    Och blir utfallet "<utfall>"

    Exempel: Exakt 12 månader före mottagandet godtas, en dag äldre inte
      | mottagen   | datum      | status        | utfall        |
      | 2026-03-02 | 2026-03-02 | uppfylld      | bifall        |
      | 2026-03-02 | 2025-03-03 | uppfylld      | bifall        |
      | 2026-03-02 | 2025-03-02 | uppfylld      | bifall        |
      | 2026-03-02 | 2025-03-01 | inte uppfylld | komplettering |
      | 2026-03-31 | 2025-03-31 | uppfylld      | bifall        |
      | 2026-03-31 | 2025-03-30 | inte uppfylld | komplettering |

  @VS-K2 @VS-K3
  Scenariomall: Skottdagen: den 29:e blir månadens sista dag (daterat <datum>)
    Givet en ansökan om verksamhetsstöd mottagen "2028-02-29"
    Och perioden är "2028-03" till "2028-05"
    Och sökt belopp är 49500 kr
    Och utvärderingen av extra anpassningar är daterad "2028-01-15"
    Och åtgärdsprogrammet är daterat "<datum>" och underskrivet av rektor
    Och utredningen är daterad "<utredning>"
    När ansökan prövas den "2028-03-01"
    Så är regel "VS-K2" <K2>
    Och är regel "VS-K3" <K3>
    Och blir utfallet "<utfall>"

    # 2028-02-29 minus 12 månader är 2027-02-28 och minus 24 månader 2026-02-28.
    Exempel:
      | datum      | utredning  | K2            | K3            | utfall        |
      | 2027-02-28 | 2026-02-28 | uppfylld      | uppfylld      | bifall        |
      | 2027-02-27 | 2026-02-28 | inte uppfylld | uppfylld      | komplettering |
      | 2027-02-28 | 2026-02-27 | uppfylld      | inte uppfylld | komplettering |

  @VS-K3
  Scenariomall: Utredningens ålder, mottagen <mottagen>, daterad <datum>
    Givet en ansökan om verksamhetsstöd mottagen "<mottagen>"
    Och utredningen är daterad "<datum>"
    När ansökan prövas den "<mottagen>"
    Så är regel "VS-K3" <status>
    Och blir utfallet "<utfall>"

    Exempel: Exakt 24 månader före mottagandet godtas, en dag äldre inte
      | mottagen   | datum      | status        | utfall        |
      | 2026-03-02 | 2024-03-02 | uppfylld      | bifall        |
      | 2026-03-02 | 2024-03-01 | inte uppfylld | komplettering |
      | 2026-03-31 | 2024-03-31 | uppfylld      | bifall        |
      | 2026-03-31 | 2024-03-30 | inte uppfylld | komplettering |

  @VS-K3
  Scenario: Utredning saknas
    Givet ingen utredning är bifogad
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K3"
    Och är regel "VS-K3" inte uppfylld
    Och innehåller motiveringen för regel "VS-K3" "bifogad utredning: ingen"
    Och innehåller beslutstexten "Utredning enligt skollagen 3 kap. 7 §, daterad tidigast 2 mars 2024."

  @VS-K4
  Scenariomall: Utvärdering av extra anpassningar, vilket datum som helst till och med mottagandet (<datum>)
    Givet utvärderingen av extra anpassningar är daterad "<datum>"
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-K4" uppfylld
    Och blir utfallet "bifall"

    Exempel:
      | datum      |
      | 2026-03-02 |
      | 2019-05-01 |

  @VS-K4
  Scenario: Utvärdering av extra anpassningar saknas
    Givet ingen utvärdering av extra anpassningar är bifogad
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K4"
    Och är regel "VS-K4" inte uppfylld
    Och innehåller beslutstexten "Utvärdering av de extra anpassningar som skolan har prövat för eleven."

  Scenario: Ett underlag daterat efter mottagandet avvisas vid intaget
    Givet utvärderingen av extra anpassningar är daterad "2026-03-03"
    När ansökan prövas den "2026-03-10"
    Så avvisas ansökan vid intaget med fel i fältet "documents.extra_anpassningar_utvardering.date"

  @VS-K5
  Scenario: Behovet är beskrivet
    Givet behovet är beskrivet som "Eleven behöver stöd av en vuxen vid alla övergångar och raster."
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-K5" uppfylld

  @VS-K5
  Scenario: En diagnos med en beskrivning av behovet räcker
    Givet eleven har diagnosen "adhd"
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-K5" uppfylld
    Och blir utfallet "bifall"
    Och innehåller beslutstexten inte "adhd"

  @VS-K5
  Scenario: En diagnos utan beskrivning räcker inte
    Givet eleven har diagnosen "autism"
    Och behovet är inte beskrivet
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K5"
    Och är regel "VS-K5" inte uppfylld
    Och innehåller beslutstexten "En diagnos ensam räcker inte"
    Och innehåller beslutstexten "En beskrivning av elevens behov av stöd i skolan (en diagnos ensam räcker inte)."
    Och innehåller beslutstexten inte "autism"

  @VS-K5
  Scenario: En beskrivning av bara blanksteg är ingen beskrivning
    Givet behovet är beskrivet med bara blanksteg
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är regel "VS-K5" inte uppfylld

  @VS-K6
  Scenario: Förlängning med utvärdering av föregående period
    Givet ansökan är en förlängning
    Och utvärderingen av föregående period är daterad "2026-02-20"
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-K6" uppfylld
    Och blir utfallet "bifall"

  @VS-K6
  Scenario: Förlängning utan utvärdering av föregående period
    Givet ansökan är en förlängning
    Och ingen utvärdering av föregående period är bifogad
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K6"
    Och är regel "VS-K6" inte uppfylld
    Och innehåller beslutstexten "Utvärdering av föregående period med verksamhetsstöd."

  @VS-K6
  Scenario: En första ansökan behöver ingen utvärdering av föregående period
    Givet ansökan är en första ansökan
    Och ingen utvärdering av föregående period är bifogad
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-K6" inte prövad
    Och blir utfallet "bifall"
    Och innehåller motiveringen för regel "VS-K6" "Gäller inte en första ansökan."

  @VS-K7
  Scenario: Vårdnadshavarna är informerade
    Givet vårdnadshavarna är informerade
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-K7" uppfylld

  @VS-K7
  Scenario: Vårdnadshavarna är inte informerade
    Givet vårdnadshavarna är inte informerade
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K7"
    Och är regel "VS-K7" inte uppfylld

  @VS-K1 @VS-K3 @VS-K4 @VS-K5 @VS-K6 @VS-K7
  Scenario: Allt som saknas begärs på en gång
    Givet ansökan är en förlängning
    Och inget åtgärdsprogram är bifogat
    Och ingen utredning är bifogad
    Och ingen utvärdering av extra anpassningar är bifogad
    Och ingen utvärdering av föregående period är bifogad
    Och behovet är inte beskrivet
    Och vårdnadshavarna är inte informerade
    När ansökan prövas den "2026-03-20"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K1, VS-K3, VS-K4, VS-K5, VS-K6, VS-K7"
    Och är sista dag för komplettering "2026-04-03"
    Och innehåller beslutstexten "6. Bekräftelse på att vårdnadshavarna är informerade om ansökan."
    Och beviljas inget belopp
