# language: sv
Egenskap: Belopp och period (VS-L1, VS-P1, VS-P3, VS-N1, VS-G1)
  När ingen formell, materiell eller underlagsregel faller beviljas stöd. Beloppet räknas
  fram i den här ordningen, med de månadsbelopp som gäller varje månad:

  VS-P1: Stödet lämnas inte retroaktivt. Beviljad period börjar tidigast mottagningsmånaden;
  skolmånader före den tas bort (delvis bifall).
  VS-P3: Ett beslut gäller högst 11 skolmånader, ett läsår, räknat från beviljad start;
  månader därefter tas bort (delvis bifall).
  VS-L1: Nivån följer antalet extraordinära timmar per vecka: 5 till under 10 ger nivå 1,
  10 till under 20 nivå 2, 20 till under 30 nivå 3 och 30 eller fler nivå 4.
  VS-N1: Är eleven minst 75 % av skoltiden i särskild undervisningsgrupp får skolan redan
  extra grundbelopp; varje beviljad månads belopp minskas med den månadens extra grundbelopp,
  dock inte under 0 kr.
  VS-G1: Beloppet är summan över de beviljade skolmånaderna, hela månader. Beviljat belopp är
  det lägre av det beräknade och det sökta. Bifall när beviljat belopp och period är de sökta,
  annars delvis bifall.

  Skolmånader är kalendermånader utom juli. Månadsbelopp per nivå: från 2026-01-01 7 000,
  16 000, 28 000 och 40 000 kr; från 2027-01-01 7 200, 16 500, 28 800 och 41 200 kr. Extra
  grundbelopp: 7 500 kr per månad från 2026-01-01 och 7 700 kr från 2027-01-01.

  Bakgrund:
    Givet en ansökan om verksamhetsstöd mottagen "2026-03-02"
    Och perioden är "2026-04" till "2026-06"

  @VS-L1
  Scenariomall: Nivån följer timmarna per vecka (<timmar> timmar)
    Givet eleven behöver <timmar> timmar extraordinärt stöd per vecka
    Och sökt belopp är <sökt> kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "<utfall>"
    Och är nivån <nivå>
    Och är beviljat belopp <belopp>
    Och är regel "VS-L1" <status>

    # Tre skolmånader (april–juni 2026) med 2026 års månadsbelopp. Under 5 timmar avslås
    # ansökan redan enligt VS-S2, så ingen nivå prövas.
    Exempel:
      | timmar | sökt   | utfall | nivå  | belopp    | status     |
      | 4.5    | 21000  | avslag | ingen | inget     | inte prövad |
      | 5      | 21000  | bifall | 1     | 21000 kr  | uppfylld   |
      | 9.5    | 21000  | bifall | 1     | 21000 kr  | uppfylld   |
      | 10     | 48000  | bifall | 2     | 48000 kr  | uppfylld   |
      | 19.5   | 48000  | bifall | 2     | 48000 kr  | uppfylld   |
      | 20     | 84000  | bifall | 3     | 84000 kr  | uppfylld   |
      | 29.5   | 84000  | bifall | 3     | 84000 kr  | uppfylld   |
      | 30     | 120000 | bifall | 4     | 120000 kr | uppfylld   |

  @VS-L1 @VS-G1
  Scenariomall: Nytt månadsbelopp från 2027-01-01 (nivå <nivå>, augusti 2026–juni 2027)
    Givet perioden är "2026-08" till "2027-06"
    Och eleven behöver <timmar> timmar extraordinärt stöd per vecka
    Och sökt belopp är <belopp> kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "bifall"
    Och är de avgörande reglerna "VS-G1, VS-L1"
    Och är nivån <nivå>
    Och beviljas <belopp> kr
    Och är beviljad period "2026-08" till "2027-06"
    Och är regel "VS-G1" uppfylld
    Och innehåller beslutstexten "augusti–december 2026: nivå 1: 7 000 kr, nivå 2: 16 000 kr, nivå 3: 28 000 kr, nivå 4: 40 000 kr"
    Och innehåller beslutstexten "januari–juni 2027: nivå 1: 7 200 kr, nivå 2: 16 500 kr, nivå 3: 28 800 kr, nivå 4: 41 200 kr"

    # Augusti–december 2026 (5 månader) med 2026 års belopp, januari–juni 2027 (6) med 2027 års.
    Exempel:
      | timmar | nivå | belopp | uträkning                          |
      | 5      | 1    | 78200  | 5 × 7 000 + 6 × 7 200 = 78 200     |
      | 10     | 2    | 179000 | 5 × 16 000 + 6 × 16 500 = 179 000  |
      | 20     | 3    | 312800 | 5 × 28 000 + 6 × 28 800 = 312 800  |
      | 30     | 4    | 447200 | 5 × 40 000 + 6 × 41 200 = 447 200  |

  @VS-G1
  Scenariomall: Varje månad får det belopp som gäller den månaden (<start> till <slut>)
    Givet perioden är "<start>" till "<slut>"
    Och eleven behöver 10 timmar extraordinärt stöd per vecka
    Och sökt belopp är 500000 kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "delvis_bifall"
    Och beviljas <belopp> kr
    Och är regel "VS-G1" uppfylld

    Exempel:
      | start   | slut    | belopp | uträkning                        |
      | 2026-10 | 2026-12 | 48000  | 3 × 16 000                       |
      | 2026-12 | 2027-01 | 32500  | 16 000 + 16 500                  |
      | 2026-11 | 2027-02 | 65000  | 2 × 16 000 + 2 × 16 500          |
      | 2027-01 | 2027-03 | 49500  | 3 × 16 500                       |

  @VS-N1 @VS-G1
  Scenariomall: Avräkning över årsskiftet (nivå <nivå>, <procent> % i särskild undervisningsgrupp)
    Givet perioden är "2026-08" till "2027-06"
    Och eleven behöver <timmar> timmar extraordinärt stöd per vecka
    Och eleven är <procent> % av skoltiden i särskild undervisningsgrupp
    Och sökt belopp är <belopp> kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "bifall"
    Och är de avgörande reglerna "VS-G1, VS-L1, VS-N1"
    Och beviljas <belopp> kr
    Och är regel "VS-N1" uppfylld

    Exempel:
      | timmar | nivå | procent | belopp | uträkning                                           |
      | 10     | 2    | 80      | 95300  | 5 × (16 000 − 7 500) + 6 × (16 500 − 7 700) = 95 300   |
      | 20     | 3    | 100     | 229100 | 5 × (28 000 − 7 500) + 6 × (28 800 − 7 700) = 229 100  |
      | 30     | 4    | 75      | 363500 | 5 × (40 000 − 7 500) + 6 × (41 200 − 7 700) = 363 500  |

  @VS-N1
  Scenariomall: Avräkning från 75 % av skoltiden i särskild undervisningsgrupp (<procent> %)
    Givet eleven är <procent> % av skoltiden i särskild undervisningsgrupp
    Och sökt belopp är <sökt> kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "bifall"
    Och beviljas <sökt> kr
    Och är de avgörande reglerna "<regler>"
    Och är regel "VS-N1" <status>

    # Nivå 2 i april–juni 2026: 3 × 16 000 = 48 000 kr, med avräkning 3 × (16 000 − 7 500) = 25 500 kr.
    Exempel:
      | procent | sökt  | regler              | status        |
      | 0       | 48000 | VS-G1, VS-L1        | inte uppfylld |
      | 74.5    | 48000 | VS-G1, VS-L1        | inte uppfylld |
      | 75      | 25500 | VS-G1, VS-L1, VS-N1 | uppfylld      |
      | 100     | 25500 | VS-G1, VS-L1, VS-N1 | uppfylld      |

  @VS-N1
  Scenario: Avräkningen är avgörande även när den inte ändrar beviljat belopp
    Givet eleven är 90 % av skoltiden i särskild undervisningsgrupp
    Och sökt belopp är 20000 kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "bifall"
    Och beviljas 20000 kr
    Och är de avgörande reglerna "VS-G1, VS-L1, VS-N1"
    Och innehåller motiveringen för regel "VS-G1" "Beräknat belopp för tre skolmånader (april–juni 2026) är 25 500 kr"

  @VS-N1 @VS-N2
  Scenario: En månad som avräknas till 0 kr ger inget belopp och avslag
    Givet eleven behöver 7 timmar extraordinärt stöd per vecka
    Och eleven är 80 % av skoltiden i särskild undervisningsgrupp
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "VS-N2"
    Och är regel "VS-N1" inte prövad
    Och beviljas inget belopp

  @VS-P1
  Scenario: En retroaktiv start kortas till mottagningsmånaden
    Givet perioden är "2026-01" till "2026-06"
    Och sökt belopp är 96000 kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "delvis_bifall"
    Och är de avgörande reglerna "VS-G1, VS-L1, VS-P1"
    Och är beviljad period "2026-03" till "2026-06"
    Och beviljas 64000 kr
    Och är regel "VS-P1" uppfylld
    Och innehåller motiveringen för regel "VS-P1" "Den sökta perioden börjar januari 2026, före mottagningsmånaden mars 2026"

  @VS-P1
  Scenario: Beslutet säger hur många skolmånader före mottagningsmånaden som inte beviljas
    Givet perioden är "2026-01" till "2026-06"
    När ansökan prövas den "2026-03-10"
    Så innehåller motiveringen för regel "VS-P1" "så två skolmånader före mottagningsmånaden beviljas inte"
    Och innehåller beslutstexten inte "{period."

  @VS-P1
  Scenario: En kortad start ger delvis bifall även när hela det sökta beloppet beviljas
    Givet perioden är "2026-02" till "2026-06"
    Och sökt belopp är 50000 kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "delvis_bifall"
    Och är de avgörande reglerna "VS-G1, VS-L1, VS-P1"
    Och är beviljad period "2026-03" till "2026-06"
    Och beviljas 50000 kr

  @VS-P1
  Scenariomall: En start från mottagningsmånaden kortas inte (<mottagen>, <start> till <slut>)
    Givet en ansökan om verksamhetsstöd mottagen "<mottagen>"
    Och perioden är "<start>" till "<slut>"
    Och sökt belopp är <belopp> kr
    När ansökan prövas den "<mottagen>"
    Så blir utfallet "bifall"
    Och är beviljad period "<beviljad_start>" till "<slut>"
    Och är regel "VS-P1" inte uppfylld

    # Juli är ingen skolmånad: en ansökan mottagen i juli om juli–september har inget att korta.
    Exempel:
      | mottagen   | start   | slut    | beviljad_start | belopp |
      | 2026-03-02 | 2026-03 | 2026-06 | 2026-03        | 64000  |
      | 2026-03-02 | 2026-05 | 2026-06 | 2026-05        | 32000  |
      | 2026-07-15 | 2026-07 | 2026-09 | 2026-08        | 32000  |

  @VS-P3
  Scenariomall: En period längre än 11 skolmånader kortas (<start> till <slut>)
    Givet perioden är "<start>" till "<slut>"
    Och sökt belopp är 400000 kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "delvis_bifall"
    Och är de avgörande reglerna "<regler>"
    Och är beviljad period "<beviljad_start>" till "<beviljad_slut>"
    Och beviljas <belopp> kr
    Och är regel "VS-P3" uppfylld

    Exempel:
      | start   | slut    | regler                     | beviljad_start | beviljad_slut | belopp | uträkning                           |
      | 2026-04 | 2027-06 | VS-G1, VS-L1, VS-P3        | 2026-04        | 2027-03       | 177500 | 8 × 16 000 + 3 × 16 500 = 177 500   |
      | 2026-01 | 2027-06 | VS-G1, VS-L1, VS-P1, VS-P3 | 2026-03        | 2027-02       | 177000 | 9 × 16 000 + 2 × 16 500 = 177 000   |

  @VS-P3
  Scenario: Beslutet säger hur långt perioden är
    Givet perioden är "2026-04" till "2027-06"
    När ansökan prövas den "2026-03-10"
    Så innehåller motiveringen för regel "VS-P3" "Perioden har 14 skolmånader från beviljad start"

  @VS-P3
  Scenario: Beslutet säger hur många skolmånader i slutet som inte beviljas
    Givet perioden är "2026-04" till "2027-06"
    När ansökan prövas den "2026-03-10"
    Så innehåller motiveringen för regel "VS-P3" "så tre skolmånader i slutet beviljas inte"
    Och innehåller beslutstexten inte "{period."

  @VS-P3 @VS-P1
  Scenariomall: Elva skolmånader ryms (<start> till <slut>)
    Givet perioden är "<start>" till "<slut>"
    Och sökt belopp är 179000 kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "bifall"
    Och är de avgörande reglerna "VS-G1, VS-L1"
    Och är beviljad period "2026-08" till "2027-06"
    Och är regel "VS-P3" inte uppfylld
    Och är regel "VS-P1" inte uppfylld

    # Juli räknas inte: juli–juni och augusti–juli har samma elva skolmånader som augusti–juni.
    Exempel:
      | start   | slut    |
      | 2026-08 | 2027-06 |
      | 2026-07 | 2027-06 |
      | 2026-08 | 2027-07 |

  @VS-G1
  Scenariomall: Beviljat belopp är det lägre av beräknat och sökt (sökt <sökt> kr)
    Givet sökt belopp är <sökt> kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "<utfall>"
    Och beviljas <belopp> kr
    Och är beviljad period "2026-04" till "2026-06"
    Och är regel "VS-G1" uppfylld
    Och innehåller motiveringen för regel "VS-G1" "Beviljat belopp är det lägre: <text>"

    # Beräknat: nivå 2 i tre månader, 3 × 16 000 = 48 000 kr.
    Exempel:
      | sökt  | utfall        | belopp | text      |
      | 40000 | bifall        | 40000  | 40 000 kr |
      | 47999 | bifall        | 47999  | 47 999 kr |
      | 48000 | bifall        | 48000  | 48 000 kr |
      | 48001 | delvis_bifall | 48000  | 48 000 kr |
      | 60000 | delvis_bifall | 48000  | 48 000 kr |

  @VS-G1 @VS-L1
  Scenario: Inget belopp räknas fram när underlag saknas
    Givet ingen utredning är bifogad
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och beviljas inget belopp
    Och är regel "VS-G1" inte prövad
    Och är regel "VS-L1" inte prövad
