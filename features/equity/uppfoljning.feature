# language: sv
@uppfoljning
Egenskap: Uppföljning av pengar och platser mot skolornas socioekonomiska index
  Förvaltningen och revisorerna följer upp om stadens extra pengar når eleverna med störst
  behov: per skola och per indexband, över tid. Banden är kvintiler av indexet över skolorna i
  skolregistret (band 1 lägst index, band 5 högst); per elev räknas med registrets elevtal.
  Ett ärende från en skola som inte finns i registret hamnar i gruppen "okänd skola": det
  räknas i totalen men har inga elevtal. Indexet är bara ett sammanhang (VS-I1) och avgör
  aldrig ett beslut. Handläggningstiden är densamma som i stod stats: dagar från mottagande
  till beslut, utan skolans tid för komplettering.

  Bakgrund:
    Givet ett skolregister för läsåret "2026/27":
      | skolenhetskod | skola                | stadsdel             | elever | index |
      | 48213551      | Västbergaskolan      | Hägersten-Älvsjö     | 400    | 60    |
      | 42896702      | Adolf Fredriks skola | Norrmalm             | 500    | 80    |
      | 44407924      | Eriksdalsskolan      | Södermalm            | 250    | 100   |
      | 46618157      | Hagsätraskolan       | Enskede-Årsta-Vantör | 300    | 160   |
      | 41177203      | Rinkebyskolan        | Rinkeby-Kista        | 200    | 230   |
    Och ansökningar mottagna "2026-09-01" för oktober till december 2026:
      | ansökan   | skolenhetskod | timmar | dagar till beslut |
      | VS-EQ-001 | 41177203      | 20     | 10                |
      | VS-EQ-002 | 41177203      | 10     | 20                |
      | VS-EQ-003 | 46618157      | 10     | 30                |
      | VS-EQ-004 | 48213551      | 3      | 5                 |
      | VS-EQ-005 | 44407924      | 10     | öppen             |
      | VS-EQ-006 | 49929368      | 10     | 14                |

  @indexband
  Scenario: Siffrorna per indexband som nämnden citerar
    När uppföljningen tas fram per indexband den "2026-12-31"
    Så är bandgränserna "60, 80, 100, 160"
    Och är siffrorna per grupp:
      | grupp                | skolor | elever | ärenden | ansökningar per 100 elever | andel beviljade | beviljat   | beviljat per elev | median dagar | 90:e percentil dagar |
      | band 1 (60–60)       | 1      | 400    | 1       | 0,25                       | 0 %             | 0 kr       | 0 kr              | 5            | 5                    |
      | band 2 (80–80)       | 1      | 500    | 0       | 0                          | –               | 0 kr       | 0 kr              | –            | –                    |
      | band 3 (100–100)     | 1      | 250    | 1       | 0,4                        | –               | 0 kr       | 0 kr              | –            | –                    |
      | band 4 (160–160)     | 1      | 300    | 1       | 0,33                       | 100 %           | 48 000 kr  | 160 kr            | 30           | 30                   |
      | band 5 (230–230)     | 1      | 200    | 2       | 1                          | 100 %           | 132 000 kr | 660 kr            | 10           | 20                   |
      | okänd skola          | 1      | –      | 1       | –                          | 100 %           | 48 000 kr  | –                 | 14           | 14                   |
      | alla                 | 6      | 1 650  | 6       | 0,3                        | 80 %            | 228 000 kr | 109 kr            | 14           | 30                   |

  @indexband
  Scenario: Totalen är densamma som i stod stats för samma period
    När uppföljningen tas fram per indexband den "2026-12-31"
    Så är totalens ärenden, beslut, belopp och handläggningstider desamma som i stod stats
    Och är gruppernas summa av ärenden och belopp lika med totalen

  @stadsdel
  Scenario: Per stadsdel hamnar skolan utanför registret i "okänd skola", inte i sin stadsdel
    När uppföljningen tas fram per stadsdel den "2026-12-31"
    Så är siffrorna per grupp:
      | grupp         | skolor | elever | ärenden | beviljat   | beviljat per elev |
      | Norrmalm      | 1      | 500    | 0       | 0 kr       | 0 kr              |
      | Rinkeby-Kista | 1      | 200    | 2       | 132 000 kr | 660 kr            |
      | okänd skola   | 1      | –      | 1       | 48 000 kr  | –                 |

  @indexband
  Scenario: En period utan skolans ärenden ger inga handläggningstider men samma elevtal
    När uppföljningen tas fram per indexband från "2026-10-01" den "2026-12-31"
    Så är siffrorna per grupp:
      | grupp          | elever | ärenden | beviljat | median dagar |
      | band 5 (230–230) | 200    | 0       | 0 kr     | –            |
      | alla           | 1 650  | 0       | 0 kr     | –            |

  @skolblad
  Scenario: Skolbladet visar skolan mot sitt band och staden, och de öppna ärendena utan elevuppgifter
    När skolbladet för "44407924" tas fram den "2026-12-31"
    Så ligger skolan i indexband 3
    Och visar skolbladet för hela perioden:
      | jämförelse | ärenden | beviljat   | beviljat per elev |
      | skolan     | 1       | 0 kr       | 0 kr              |
      | band 3     | 1       | 0 kr       | 0 kr              |
      | staden     | 5       | 180 000 kr | 109 kr            |
    Och listar skolbladet det öppna ärendet "VS-EQ-005"
    Och står inga diagnoser och ingen elevreferens på skolbladet

  @diagram
  Scenario: Diagrammens tabeller och Excel-filen har samma siffror som uppföljningen
    När diagrammen och Excel-filen tas fram den "2026-12-31"
    Så har diagrammet "bidrag-per-elev-mot-index" en punkt per skola i registret
    Och har diagrammets tabell "bidrag-per-elev-mot-index" raden "Rinkebyskolan, Rinkeby-Kista, 230, 5, 200, 132 000 kr, 660 kr"
    Och har diagrammets tabell "belopp-per-band-over-tid" raden "HT2026, 0 kr, 0 kr, 0 kr, 48 000 kr, 132 000 kr, 48 000 kr"
    Och har diagrammets tabell "handlaggningstid-per-stadsdel" raden "Enskede-Årsta-Vantör, 1, 30, 30"
    Och har Excel-bladet "Per indexband" samma siffror som uppföljningen per indexband
    Och har varje diagram sin tabell bredvid sig på sidan
