# language: sv
Egenskap: Placeringsomgången (CSI-R1–CSI-R6)
  En placeringsomgång per termin placerar alla ansökningar som uppfyller villkoren.
  CSI-R1: Ansökningarna tas i turordning: högre bedömd behovsnivå först ("en elev med större
  behov går före", ÖKN 2012:373), vid samma nivå den som kom in tidigast, därefter ansökans id.
  CSI-R2: I turordning får varje ansökan en ledig plats i den första grupp som har inriktningen
  och tar emot elevens årskurs: först skolans önskade grupper i angiven ordning (en önskad grupp
  som inte passar räknas inte), sedan övriga grupper efter gruppens id. Lediga platser är
  platser minus tagna, aldrig under 0.
  CSI-R3: Den som inte får plats står i kö till varje grupp som passar; varje kö numreras för sig
  i turordning bland dem utan plats som passar gruppen.
  CSI-R4: Placeringen gäller terminen ut (HT 1 augusti–31 december, VT 1 januari–30 juni) och
  följs upp senast 17 december respektive 16 juni.
  CSI-R5: En grupp vid en annan skolenhet än elevens kräver ett separat beslut om
  skolplacering, som kan överklagas till Skolväsendets överklagandenämnd (skollagen 10 kap. 30 §).
  CSI-R6: Att eleven inte får plats i brist på platser kan inte överklagas, men rektors beslut
  om åtgärdsprogram och särskild undervisningsgrupp kan det (skollagen 28 kap. 16 §).
  Omgången ger samma resultat i vilken ordning ansökningarna än kommer.

  @CSI-R1 @CSI-R2 @CSI-R3 @CSI-R4 @CSI-R5 @CSI-R6
  Scenario: Fler ansökningar än platser: behov först, sedan datum, sedan id
    Givet en placeringsomgång för "HT2026" med grupperna:
      | id         | inriktning | skolenhet | skola        | årskurser | platser | tagna |
      | CSI-AST-01 | AST        | 30114521  | Norrbyskolan | 1-3       | 6       | 4     |
    Och ansökningarna:
      | id  | årskurs | behovsnivå | mottagen   |
      | A-3 | 2       | 4          | 2026-03-20 |
      | A-1 | 2       | 4          | 2026-03-20 |
      | A-2 | 3       | 4          | 2026-03-01 |
      | A-4 | 1       | 5          | 2026-05-01 |
    När omgången körs den "2026-07-31"
    Så får "A-4" plats i gruppen "CSI-AST-01"
    Och får "A-2" plats i gruppen "CSI-AST-01"
    Och står "A-1" i kö med platserna "CSI-AST-01: 1"
    Och står "A-3" i kö med platserna "CSI-AST-01: 2"
    Och har "A-1" plats 3 i turordningen för sin inriktning
    Och blir resultatet detsamma när ansökningarna kommer i omvänd ordning den "2026-07-31"
    Och gäller för ansökan "A-3"
    Och blir utfallet "ko"
    Och finns inga avgörande regler
    Och är regel "CSI-R1" inte uppfylld
    Och är regel "CSI-R2" inte uppfylld
    Och är regel "CSI-R3" uppfylld
    Och är regel "CSI-R4" inte uppfylld
    Och är regel "CSI-R5" inte prövad
    Och är regel "CSI-R6" uppfylld
    Och innehåller motiveringen för regel "CSI-R1" "1 med högre bedömd behovsnivå, 1 med samma behovsnivå men tidigare mottagningsdag och 1 med samma behovsnivå och samma mottagningsdag"
    Och innehåller motiveringen för regel "CSI-R3" "CSI-AST-01 vid Norrbyskolan: plats 2 i kön (gruppen har 6 platser och 6 är tagna)"
    Och innehåller beslutstexten "kan inte överklagas till Skolväsendets överklagandenämnd"
    Och innehåller beslutstexten "Rektors beslut om åtgärdsprogram och om undervisning i särskild undervisningsgrupp kan däremot överklagas"
    Och innehåller beslutstexten inte "A-1"
    Och gäller för ansökan "A-4"
    Och blir utfallet "placering"
    Och är regel "CSI-R1" uppfylld
    Och är regel "CSI-R2" uppfylld
    Och är regel "CSI-R3" inte uppfylld
    Och är regel "CSI-R4" uppfylld
    Och är regel "CSI-R5" uppfylld
    Och är regel "CSI-R6" inte uppfylld
    Och innehåller beslutstexten "Eleven får plats i gruppen CSI-AST-01 (AST, årskurs 1–3) vid Norrbyskolan (skolenhet 30114521) för höstterminen 2026, 1 augusti–31 december 2026"
    Och innehåller beslutstexten "följs upp senast 17 december 2026"
    Och innehåller beslutstexten "ansökan plats 1 av 4 i turordningen bland omgångens ansökningar med inriktningen AST"
    Och innehåller beslutstexten "separat beslut om skolplacering"

  @CSI-R1
  Scenario: Samma ansökningar i en annan ordning ger samma resultat
    Givet en placeringsomgång för "HT2026" med grupperna:
      | id         | inriktning | skolenhet | årskurser | platser | tagna |
      | CSI-TSK-04 | TSK        | 85519907  | 1-6       | 5       | 4     |
      | CSI-TSK-01 | TSK        | 63318842  | 1-3       | 7       | 6     |
    Och ansökningarna:
      | id  | inriktning | årskurs | behovsnivå | mottagen   |
      | T-9 | TSK        | 2       | 2          | 2026-02-01 |
      | T-1 | TSK        | 3       | 2          | 2026-02-01 |
      | T-5 | TSK        | 5       | 3          | 2026-04-01 |
    När omgången körs den "2026-07-31"
    Så får "T-5" plats i gruppen "CSI-TSK-04"
    Och får "T-1" plats i gruppen "CSI-TSK-01"
    Och står "T-9" i kö med platserna "CSI-TSK-01: 1, CSI-TSK-04: 1"
    Och blir resultatet detsamma när ansökningarna kommer i omvänd ordning den "2026-07-31"
    Och gäller för ansökan "T-5"
    Och är regel "CSI-R1" uppfylld
    Och gäller för ansökan "T-9"
    Och är regel "CSI-R1" inte uppfylld
    Och innehåller motiveringen för regel "CSI-R1" "med samma behovsnivå och samma mottagningsdag (då avgör ansökans id ordningen)"

  @CSI-R2 @CSI-R3
  Scenario: Önskade grupper prövas först; en önskad grupp som inte passar räknas inte
    Givet en placeringsomgång för "HT2026" med grupperna:
      | id         | inriktning | skolenhet | årskurser | platser | tagna |
      | CSI-AST-05 | AST        | 62289971  | 1-9       | 4       | 3     |
      | CSI-AST-01 | AST        | 30114521  | 1-3       | 6       | 5     |
      | CSI-TSK-04 | TSK        | 85519907  | 1-6       | 5       | 0     |
    Och ansökningarna:
      | id  | årskurs | behovsnivå | mottagen   | önskemål               |
      | B-1 | 2       | 4          | 2026-03-01 | CSI-TSK-04, CSI-AST-05 |
      | B-2 | 3       | 3          | 2026-03-01 |                        |
      | B-3 | 1       | 2          | 2026-03-01 | CSI-AST-01             |
      | B-4 | 8       | 2          | 2026-02-01 |                        |
    När omgången körs den "2026-07-31"
    Så får "B-1" plats i gruppen "CSI-AST-05"
    Och får "B-2" plats i gruppen "CSI-AST-01"
    Och står "B-4" i kö med platserna "CSI-AST-05: 1"
    Och står "B-3" i kö med platserna "CSI-AST-01: 1, CSI-AST-05: 2"
    Och gäller för ansökan "B-2"
    Och är regel "CSI-R2" uppfylld
    Och är regel "CSI-R3" inte uppfylld
    Och innehåller beslutstexten "platsen är i den första grupp i id-ordning som passar och hade en ledig plats"
    Och gäller för ansökan "B-3"
    Och är regel "CSI-R2" inte uppfylld
    Och är regel "CSI-R3" uppfylld
    Och innehåller motiveringen för regel "CSI-R3" "Platserna som var lediga i dessa grupper vid omgångens början (2 platser) gick till ansökningar före i turordningen: 2 med högre bedömd behovsnivå"

  @CSI-R2
  Scenario: Fler tagna platser än platser ger inga lediga platser, aldrig färre än noll
    Givet en placeringsomgång för "HT2026" med grupperna:
      | id         | inriktning | skolenhet | årskurser | platser | tagna |
      | CSI-AST-01 | AST        | 30114521  | 1-3       | 6       | 8     |
      | CSI-AST-05 | AST        | 62289971  | 1-9       | 4       | 3     |
    Och ansökningarna:
      | id  | årskurs | behovsnivå | mottagen   |
      | C-1 | 2       | 5          | 2026-03-01 |
      | C-2 | 2       | 4          | 2026-03-01 |
    När omgången körs den "2026-07-31"
    Så får "C-1" plats i gruppen "CSI-AST-05"
    Och står "C-2" i kö med platserna "CSI-AST-01: 1, CSI-AST-05: 1"
    Och gäller för ansökan "C-2"
    Och är regel "CSI-R2" inte uppfylld
    Och innehåller motiveringen för regel "CSI-R2" "Vid omgångens början fanns en ledig plats i dem."

  @CSI-R5
  Scenario: En plats vid elevens egen skolenhet kräver inget beslut om skolplacering
    Givet en placeringsomgång för "HT2026" med grupperna:
      | id         | inriktning | skolenhet | skola           | årskurser | platser | tagna |
      | CSI-TSK-04 | TSK        | 85519907  | Ekbackens skola | 1-6       | 5       | 4     |
    Och ansökningarna:
      | id  | inriktning | årskurs | behovsnivå | mottagen   | skolenhet |
      | E-1 | TSK        | 4       | 3          | 2026-03-01 | 85519907  |
    När omgången körs den "2026-07-31"
    Så får "E-1" plats i gruppen "CSI-TSK-04"
    Och gäller för ansökan "E-1"
    Och är regel "CSI-R5" inte uppfylld
    Och innehåller motiveringen för regel "CSI-R5" "Gruppen finns vid elevens egen skolenhet (85519907); inget separat beslut om skolplacering behövs."

  @CSI-R4
  Scenario: En placering på vårterminen gäller till 30 juni och följs upp senast 16 juni
    Givet en placeringsomgång för "VT2027" med grupperna:
      | id         | inriktning | skolenhet | årskurser | platser | tagna |
      | CSI-NPF-03 | NPF        | 40065517  | 1-3       | 5       | 4     |
    Och ansökningarna:
      | id  | inriktning | årskurs | behovsnivå | mottagen   |
      | V-1 | NPF        | 2       | 3          | 2026-10-01 |
    När omgången körs den "2026-12-01"
    Så får "V-1" plats i gruppen "CSI-NPF-03"
    Och gäller för ansökan "V-1"
    Och är regel "CSI-R4" uppfylld
    Och innehåller motiveringen för regel "CSI-R4" "Placeringen gäller 1 januari–30 juni 2027 (vårterminen 2027) och följs upp senast 16 juni 2027."

  @CSI-R1 @CSI-R6
  Scenario: En ansökan som inte uppfyller villkoren deltar inte i omgången och tar ingen plats
    Givet en placeringsomgång för "HT2026" med grupperna:
      | id         | inriktning | skolenhet | årskurser | platser | tagna |
      | CSI-AST-05 | AST        | 62289971  | 1-9       | 4       | 3     |
    Och ansökningarna:
      | id  | årskurs | behovsnivå | mottagen   |
      | D-1 | 2       | -          | 2026-02-01 |
      | D-2 | 2       | 1          | 2026-05-01 |
    När omgången körs den "2026-07-31"
    Så blir utfallet för "D-1" "komplettering"
    Och får "D-2" plats i gruppen "CSI-AST-05"
    Och gäller för ansökan "D-1"
    Och är de avgörande reglerna "CSI-K6"
    Och är regel "CSI-R1" inte prövad
    Och är regel "CSI-R6" inte prövad
    Och innehåller beslutstexten "Att göra för placeringsgruppen (inte för skolan):"
    Och innehåller beslutstexten inte "Skicka in följande"
