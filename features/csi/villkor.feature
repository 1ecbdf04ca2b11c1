# language: sv
Egenskap: Villkor för en CSI-plats (CSI-A1, CSI-A2, CSI-S1, CSI-S2, CSI-K1–CSI-K6)
  Plats i en CSI-grupp kan bara sökas av rektor vid en kommunal grundskola inom Stockholms
  stad, för en inriktning som grupperna har (AST, TSK, HORSEL, NPF). Annars avvisas ansökan.
  Det måste finnas en grupp för elevens inriktning och årskurs, och skolans egen särskilda
  undervisningsgrupp eller stadsdelens resursgrupp ska ha prövats först. Annars avslås ansökan.
  Underlaget ska vara komplett: åtgärdsprogram underskrivet av rektor (högst 12 månader),
  utredning (högst 24 månader), rektors beslut om särskild undervisningsgrupp med särskilda
  skäl (skollagen 3 kap. 11 §), ett specialistutlåtande som styrker inriktningen (högst 24
  månader), vårdnadshavarnas medverkan och placeringsgruppens bedömning av behovsnivå 1–5.
  Annars begärs komplettering. En ansökan som uppfyller allt prövas i placeringsomgången.

  Bakgrund:
    Givet en ansökan om CSI-plats mottagen "2026-04-01"

  @CSI-A1 @CSI-A2 @CSI-S1 @CSI-S2 @CSI-K1 @CSI-K2 @CSI-K3 @CSI-K4 @CSI-K5 @CSI-K6
  Scenario: En fullständig ansökan uppfyller alla villkor och går till placeringsomgången
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "till_placeringsomgang"
    Och är regel "CSI-A1" uppfylld
    Och är regel "CSI-A2" uppfylld
    Och är regel "CSI-S1" uppfylld
    Och är regel "CSI-S2" uppfylld
    Och är regel "CSI-K1" uppfylld
    Och är regel "CSI-K2" uppfylld
    Och är regel "CSI-K3" uppfylld
    Och är regel "CSI-K4" uppfylld
    Och är regel "CSI-K5" uppfylld
    Och är regel "CSI-K6" uppfylld
    Och är regel "CSI-R2" inte prövad

  @CSI-A1
  Scenariomall: Bara rektor vid en kommunal skola i Stockholm kan söka (<vad>)
    Givet sökanden har rollen "<roll>"
    Och skolans huvudman är "<huvudman>"
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "avvisning"
    Och är de avgörande reglerna "CSI-A1"
    Och är regel "CSI-A1" inte uppfylld
    Och innehåller motiveringen för regel "CSI-A1" "kan bara sökas av rektor vid en kommunal grundskola"

    Exempel:
      | vad             | roll           | huvudman   |
      | specialpedagog  | specialpedagog | kommunal   |
      | fristående skola| rektor         | fristaende |

  @CSI-A2
  Scenario: En inriktning som ingen grupp har avvisas, före alla andra regler
    Givet ansökan gäller inriktningen "DYSLEXI"
    Och lägre nivåer av stöd inte är prövade
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "avvisning"
    Och är de avgörande reglerna "CSI-A2"
    Och är regel "CSI-A2" inte uppfylld
    Och innehåller motiveringen för regel "CSI-A2" "AST, TSK, HORSEL och NPF"

  @CSI-S1
  Scenario: Ingen grupp med inriktningen tar emot elevens årskurs
    Givet ansökan gäller inriktningen "HORSEL"
    Och specialistutlåtandet är från "audionom" och daterat "2025-11-01"
    Och eleven går i årskurs 0
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "CSI-S1"
    Och är regel "CSI-S1" inte uppfylld
    Och innehåller motiveringen för regel "CSI-S1" "(årskurser: 1–6, 7–9), och ingen tar emot årskurs 0"

  @CSI-S2
  Scenario: Lägre nivåer av stöd har inte prövats först
    Givet lägre nivåer av stöd inte är prövade
    Och vårdnadshavarna inte har deltagit i ansökan
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "CSI-S2"
    Och är regel "CSI-S2" inte uppfylld
    Och är regel "CSI-K5" inte uppfylld
    Och är regel "CSI-K5" inte avgörande

  @CSI-K1
  Scenariomall: Åtgärdsprogrammet ska vara underskrivet och högst 12 månader gammalt (<datum>)
    Givet åtgärdsprogrammet är daterat "<datum>"
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "<utfall>"
    Och är regel "CSI-K1" <status>

    Exempel:
      | datum      | utfall                | status         |
      | 2025-04-01 | till_placeringsomgang | uppfylld       |
      | 2025-03-31 | komplettering         | inte uppfylld  |

  @CSI-K1
  Scenario: Ett åtgärdsprogram som rektor inte har skrivit under ska kompletteras
    Givet åtgärdsprogrammet inte är underskrivet av rektor
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "CSI-K1"
    Och är regel "CSI-K1" inte uppfylld
    Och är sista dag för komplettering "2026-04-24"
    Och innehåller beslutstexten "Åtgärdsprogram för eleven, underskrivet av rektor och daterat tidigast 1 april 2025."

  @CSI-K2
  Scenariomall: Utredningen ska finnas och vara högst 24 månader gammal (<fall>)
    Givet <ändring>
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "<utfall>"
    Och är regel "CSI-K2" <status>

    Exempel:
      | fall          | ändring                              | utfall                | status        |
      | på gränsen    | utredningen är daterad "2024-04-01"  | till_placeringsomgang | uppfylld      |
      | en dag för gammal | utredningen är daterad "2024-03-31" | komplettering      | inte uppfylld |
      | saknas        | inget dokument "utredning" är bifogat | komplettering        | inte uppfylld |

  @CSI-K3
  Scenario: Rektors beslut om särskild undervisningsgrupp ska ange särskilda skäl
    Givet rektors beslut om särskild undervisningsgrupp inte anger särskilda skäl
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "CSI-K3"
    Och är regel "CSI-K3" inte uppfylld

  @CSI-K3 @CSI-K1
  Scenario: Alla saknade underlag begärs på en gång
    Givet inget dokument "beslut_sarskild_undervisningsgrupp" är bifogat
    Och inget dokument "atgardsprogram" är bifogat
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "CSI-K1, CSI-K3"
    Och är regel "CSI-K3" inte uppfylld

  @CSI-K4
  Scenariomall: Specialistutlåtandet ska styrka inriktningen (<inriktning>, <typ>)
    Givet ansökan gäller inriktningen "<inriktning>"
    Och eleven går i årskurs 5
    Och specialistutlåtandet är från "<typ>" och daterat "<datum>"
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "<utfall>"
    Och är regel "CSI-K4" <status>

    Exempel:
      | inriktning | typ      | datum      | utfall                | status        |
      | TSK        | logoped  | 2025-11-01 | till_placeringsomgang | uppfylld      |
      | TSK        | psykolog | 2025-11-01 | komplettering         | inte uppfylld |
      | HORSEL     | audionom | 2024-04-01 | till_placeringsomgang | uppfylld      |
      | HORSEL     | lakare   | 2024-03-31 | komplettering         | inte uppfylld |
      | NPF        | lakare   | 2025-11-01 | till_placeringsomgang | uppfylld      |

  @CSI-K4
  Scenario: Texten säger vilket utlåtande som krävs för inriktningen
    Givet ansökan gäller inriktningen "TSK"
    Och specialistutlåtandet är från "psykolog" och daterat "2025-11-01"
    När ansökan prövas den "2026-04-10"
    Så är regel "CSI-K4" inte uppfylld
    Och innehåller motiveringen för regel "CSI-K4" "För inriktningen TSK krävs ett utlåtande från logoped"

  @CSI-K5
  Scenario: Vårdnadshavarna ska ha deltagit i ansökan
    Givet vårdnadshavarna inte har deltagit i ansökan
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "CSI-K5"
    Och är regel "CSI-K5" inte uppfylld

  @CSI-K6
  Scenario: Utan placeringsgruppens bedömning vänder sig texten till handläggaren, inte skolan
    Givet placeringsgruppen inte har bedömt behovet
    När ansökan prövas den "2026-04-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "CSI-K6"
    Och är regel "CSI-K6" inte uppfylld
    Och innehåller motiveringen för regel "CSI-K6" "Till handläggaren"
    Och innehåller motiveringen för regel "CSI-K6" "skolan behöver inte skicka in något"
