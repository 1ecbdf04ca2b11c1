# language: sv
Egenskap: Formella förutsättningar för att ansökan ska kunna prövas (VS-A1–VS-A3)
  Verksamhetsstöd söks av rektor för en elev i en kommunal grundskola i Stockholms stad.
  Uppfylls inte en formell förutsättning avvisas ansökan: den kan inte prövas i sak.

  VS-A1: Ansökan görs av rektor. CSI och extra grundbelopp kräver rektors beslut, och staden
  har valt samma krav för verksamhetsstöd.
  VS-A2: Skolan är en kommunal skola i Stockholms stad. En fristående skola söker i stället
  tilläggsbelopp enligt skollagen 10 kap. 39 §.
  VS-A3: Eleven går i förskoleklass (årskurs 0) eller i årskurs 1–9, det som grundskolan och
  förskoleklassen omfattar.

  Bakgrund:
    Givet en ansökan om verksamhetsstöd mottagen "2026-03-02"

  @VS-A1
  Scenario: Rektor ansöker
    Givet sökanden har rollen "rektor"
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-A1" uppfylld
    Och blir utfallet "bifall"

  @VS-A1
  Scenariomall: Någon annan än rektor ansöker (<roll>)
    Givet sökanden har rollen "<roll>"
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avvisning"
    Och är de avgörande reglerna "VS-A1"
    Och är regel "VS-A1" inte uppfylld
    Och innehåller beslutstexten "Verksamhetsstöd kan bara sökas av rektor"

    Exempel:
      | roll              |
      | specialpedagog    |
      | bitradande_rektor |
      | Rektor            |

  @VS-A2
  Scenario: Kommunal skola i Stockholms stad
    Givet skolan ligger i kommunen "Stockholm"
    Och skolans huvudman är "kommunal"
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-A2" uppfylld

  @VS-A2
  Scenario: En fristående skola hänvisas till tilläggsbelopp
    Givet skolans huvudman är "fristaende"
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avvisning"
    Och är de avgörande reglerna "VS-A2"
    Och är regel "VS-A2" inte uppfylld
    Och innehåller beslutstexten "tilläggsbelopp enligt skollagen 10 kap. 39 §"

  @VS-A2
  Scenario: En kommunal skola i en annan kommun
    Givet skolan ligger i kommunen "Solna"
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avvisning"
    Och är regel "VS-A2" inte uppfylld
    Och innehåller motiveringen för regel "VS-A2" "Solna"

  @VS-A3
  Scenariomall: Årskurs <årskurs> omfattas
    Givet eleven går i årskurs <årskurs>
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-A3" uppfylld
    Och blir utfallet "bifall"

    Exempel:
      | årskurs |
      | 0       |
      | 1       |
      | 9       |

  @VS-A3
  Scenariomall: Årskurs <årskurs> omfattas inte
    Givet eleven går i årskurs <årskurs>
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avvisning"
    Och är de avgörande reglerna "VS-A3"
    Och är regel "VS-A3" inte uppfylld
    Och innehåller motiveringen för regel "VS-A3" "Ansökan anger årskurs <årskurs>"

    Exempel:
      | årskurs |
      | -1      |
      | 10      |

  @VS-A1 @VS-A2 @VS-A3
  Scenario: Alla formella brister redovisas på en gång
    Givet sökanden har rollen "specialpedagog"
    Och skolans huvudman är "fristaende"
    Och eleven går i årskurs 10
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avvisning"
    Och är de avgörande reglerna "VS-A1, VS-A2, VS-A3"
