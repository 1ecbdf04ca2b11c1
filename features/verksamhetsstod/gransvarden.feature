# language: sv
Egenskap: Gränsvärden år för år (VS-A3, VS-S1, VS-S2, VS-P2, VS-K1, VS-K2, VS-K3, VS-L1, VS-P3, VS-N1, VS-G1, VS-I2)
  Varje värde i regelverkets parametertabell prövas vid sin gräns, för varje år det gäller,
  så att ett värde som ändras med minsta möjliga steg får minst ett scenario att fallera
  (tests/param_guard.py visar det för varje värde). Ett värde gäller från sitt datum till nästa.
  Mottagningsdagen avgör timmarna, andelen, dokumentens ålder, årskurserna, den längsta perioden
  och vilka stödåtgärder som är extraordinära; månadsbeloppen och extra grundbeloppet gäller
  månad för månad; tiden för komplettering och målet för handläggningstid gäller på beslutsdagen.

  Från 2026-01-01: månadsbelopp 7 000, 16 000, 28 000 och 40 000 kr per nivå och extra
  grundbelopp 7 500 kr. Från 2027-01-01: 7 200, 16 500, 28 800 och 41 200 kr och 7 700 kr.
  Båda åren: minst 5 timmar per vecka, nivå 1 från 5, nivå 2 från 10, nivå 3 från 20 och nivå 4
  från 30 timmar, avräkning från 75 % av skoltiden i särskild undervisningsgrupp, åtgärdsprogram
  högst 12 och utredning högst 24 månader före mottagandet, högst 11 skolmånader, komplettering
  inom 14 dagar från beslutet, mål för handläggningstid 28 dagar, juli ingen skolmånad och
  förskoleklass (0) till årskurs 9.

  Ansökan gäller 10 timmar assistenthjälp per vecka (nivå 2) om inget annat sägs. Sökt belopp
  500 000 kr är mer än något beräknat belopp här, så att beviljat belopp är det beräknade.

  @VS-S2 @VS-L1 @VS-G1
  Scenariomall: Timgränserna <år> (<timmar> timmar per vecka)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-04" till "<år>-06"
    Och eleven behöver <timmar> timmar extraordinärt stöd per vecka
    Och sökt belopp är 500000 kr
    När ansökan prövas den "<år>-03-10"
    Så blir utfallet "<utfall>"
    Och är regel "VS-S2" <S2>
    Och är nivån <nivå>
    Och är beviljat belopp <belopp>

    # April–juni: tre skolmånader med årets månadsbelopp för nivån.
    Exempel: 2026
      | år   | timmar | utfall        | S2            | nivå  | belopp    | uträkning       |
      | 2026 | 4.5    | avslag        | inte uppfylld | ingen | inget     |                 |
      | 2026 | 5      | delvis_bifall | uppfylld      | 1     | 21000 kr  | 3 × 7 000       |
      | 2026 | 9.5    | delvis_bifall | uppfylld      | 1     | 21000 kr  | 3 × 7 000       |
      | 2026 | 10     | delvis_bifall | uppfylld      | 2     | 48000 kr  | 3 × 16 000      |
      | 2026 | 19.5   | delvis_bifall | uppfylld      | 2     | 48000 kr  | 3 × 16 000      |
      | 2026 | 20     | delvis_bifall | uppfylld      | 3     | 84000 kr  | 3 × 28 000      |
      | 2026 | 29.5   | delvis_bifall | uppfylld      | 3     | 84000 kr  | 3 × 28 000      |
      | 2026 | 30     | delvis_bifall | uppfylld      | 4     | 120000 kr | 3 × 40 000      |
      | 2026 | 45     | delvis_bifall | uppfylld      | 4     | 120000 kr | 3 × 40 000      |

    Exempel: 2027
      | år   | timmar | utfall        | S2            | nivå  | belopp    | uträkning       |
      | 2027 | 4.5    | avslag        | inte uppfylld | ingen | inget     |                 |
      | 2027 | 5      | delvis_bifall | uppfylld      | 1     | 21600 kr  | 3 × 7 200       |
      | 2027 | 9.5    | delvis_bifall | uppfylld      | 1     | 21600 kr  | 3 × 7 200       |
      | 2027 | 10     | delvis_bifall | uppfylld      | 2     | 49500 kr  | 3 × 16 500      |
      | 2027 | 19.5   | delvis_bifall | uppfylld      | 2     | 49500 kr  | 3 × 16 500      |
      | 2027 | 20     | delvis_bifall | uppfylld      | 3     | 86400 kr  | 3 × 28 800      |
      | 2027 | 29.5   | delvis_bifall | uppfylld      | 3     | 86400 kr  | 3 × 28 800      |
      | 2027 | 30     | delvis_bifall | uppfylld      | 4     | 123600 kr | 3 × 41 200      |
      | 2027 | 45     | delvis_bifall | uppfylld      | 4     | 123600 kr | 3 × 41 200      |

  @VS-N1 @VS-G1
  Scenariomall: Avräkningen börjar vid 75 % <år> (<procent> %)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-04" till "<år>-06"
    Och eleven är <procent> % av skoltiden i särskild undervisningsgrupp
    Och sökt belopp är 500000 kr
    När ansökan prövas den "<år>-03-10"
    Så blir utfallet "delvis_bifall"
    Och är de avgörande reglerna "<avgörande>"
    Och beviljas <belopp> kr

    Exempel:
      | år   | procent | avgörande           | belopp | uträkning              |
      | 2026 | 74      | VS-G1, VS-L1        | 48000  | 3 × 16 000             |
      | 2026 | 75      | VS-G1, VS-L1, VS-N1 | 25500  | 3 × (16 000 − 7 500)   |
      | 2027 | 74      | VS-G1, VS-L1        | 49500  | 3 × 16 500             |
      | 2027 | 75      | VS-G1, VS-L1, VS-N1 | 26400  | 3 × (16 500 − 7 700)   |

  @VS-K2 @VS-K3
  Scenariomall: Dokumentens högsta ålder <år> (åtgärdsprogram <åp>, utredning <utredning>)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och åtgärdsprogrammet är daterat "<åp>" och underskrivet av rektor
    Och utredningen är daterad "<utredning>"
    Och perioden är "<år>-04" till "<år>-06"
    Och sökt belopp är 500000 kr
    När ansökan prövas den "<år>-03-10"
    Så är regel "VS-K2" <K2>
    Och är regel "VS-K3" <K3>
    Och blir utfallet "<utfall>"

    # Exakt 12 respektive 24 månader före mottagandet godtas, en dag äldre inte.
    Exempel:
      | år   | åp         | utredning  | K2            | K3            | utfall        |
      | 2026 | 2025-03-02 | 2024-03-02 | uppfylld      | uppfylld      | delvis_bifall |
      | 2026 | 2025-03-01 | 2024-03-02 | inte uppfylld | uppfylld      | komplettering |
      | 2026 | 2025-03-02 | 2024-03-01 | uppfylld      | inte uppfylld | komplettering |
      | 2027 | 2026-03-02 | 2025-03-02 | uppfylld      | uppfylld      | delvis_bifall |
      | 2027 | 2026-03-01 | 2025-03-02 | inte uppfylld | uppfylld      | komplettering |
      | 2027 | 2026-03-02 | 2025-03-01 | uppfylld      | inte uppfylld | komplettering |

  @VS-A3
  Scenariomall: Årskurserna <år> (årskurs <årskurs>)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-04" till "<år>-06"
    Och eleven går i årskurs <årskurs>
    När ansökan prövas den "<år>-03-10"
    Så är regel "VS-A3" <status>
    Och blir utfallet "<utfall>"

    # Sökt belopp 48 000 kr är högst det beräknade båda åren, så en beviljad ansökan får bifall.
    Exempel:
      | år   | årskurs | status        | utfall     |
      | 2026 | -1      | inte uppfylld | avvisning  |
      | 2026 | 0       | uppfylld      | bifall     |
      | 2026 | 9       | uppfylld      | bifall     |
      | 2026 | 10      | inte uppfylld | avvisning  |
      | 2027 | -1      | inte uppfylld | avvisning  |
      | 2027 | 0       | uppfylld      | bifall     |
      | 2027 | 9       | uppfylld      | bifall     |
      | 2027 | 10      | inte uppfylld | avvisning  |

  @VS-S1
  Scenariomall: Vilka åtgärder som är extraordinära <år> (<åtgärd>)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-04" till "<år>-06"
    Och de sökta stödåtgärderna är "<åtgärd>"
    När ansökan prövas den "<år>-03-10"
    Så är regel "VS-S1" <status>
    Och blir utfallet "<utfall>"

    Exempel:
      | år   | åtgärd                      | status        | utfall |
      | 2026 | assistenthjalp              | uppfylld      | bifall |
      | 2026 | annan_extraordinar          | uppfylld      | bifall |
      | 2026 | extra_anpassningar          | inte uppfylld | avslag |
      | 2026 | ledning_stimulans           | inte uppfylld | avslag |
      | 2026 | specialpedagog              | inte uppfylld | avslag |
      | 2026 | anpassad_studiegang         | inte uppfylld | avslag |
      | 2026 | sarskild_undervisningsgrupp | inte uppfylld | avslag |
      | 2027 | assistenthjalp              | uppfylld      | bifall |
      | 2027 | annan_extraordinar          | uppfylld      | bifall |
      | 2027 | extra_anpassningar          | inte uppfylld | avslag |
      | 2027 | ledning_stimulans           | inte uppfylld | avslag |
      | 2027 | specialpedagog              | inte uppfylld | avslag |
      | 2027 | anpassad_studiegang         | inte uppfylld | avslag |
      | 2027 | sarskild_undervisningsgrupp | inte uppfylld | avslag |

  @VS-S1
  Scenariomall: Grundbeloppet täcker de ordinära åtgärderna <år> (assistenthjälp och <åtgärd>)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-04" till "<år>-06"
    Och de sökta stödåtgärderna är "assistenthjalp, <åtgärd>"
    När ansökan prövas den "<år>-03-10"
    Så är regel "VS-S1" uppfylld
    Och blir utfallet "bifall"
    Och innehåller beslutstexten "<upplysning>"
    Och innehåller beslutstexten inte "<inte>"

    Exempel:
      | år   | åtgärd                      | upplysning                                  | inte                                        |
      | 2026 | extra_anpassningar          | Grundbeloppet täcker redan extra anpassningar, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2026 | ledning_stimulans           | Grundbeloppet täcker redan ledning och stimulans, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2026 | specialpedagog              | Grundbeloppet täcker redan specialpedagogiskt stöd, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2026 | anpassad_studiegang         | Grundbeloppet täcker redan anpassad studiegång, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2026 | sarskild_undervisningsgrupp | Grundbeloppet täcker redan särskild undervisningsgrupp, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2026 | annan_extraordinar          | Ansökan gäller två extraordinära stödåtgärder. | Grundbeloppet täcker redan |
      | 2027 | extra_anpassningar          | Grundbeloppet täcker redan extra anpassningar, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2027 | ledning_stimulans           | Grundbeloppet täcker redan ledning och stimulans, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2027 | specialpedagog              | Grundbeloppet täcker redan specialpedagogiskt stöd, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2027 | anpassad_studiegang         | Grundbeloppet täcker redan anpassad studiegång, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2027 | sarskild_undervisningsgrupp | Grundbeloppet täcker redan särskild undervisningsgrupp, så det ingår inte i verksamhetsstödet. | Verksamhetsstöd lämnas bara för |
      | 2027 | annan_extraordinar          | Ansökan gäller två extraordinära stödåtgärder. | Grundbeloppet täcker redan |

  @VS-P2 @VS-G1
  Scenariomall: Juli är ingen skolmånad <år> (juni till augusti)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-06" till "<år>-08"
    Och sökt belopp är 500000 kr
    När ansökan prövas den "<år>-03-10"
    Så blir utfallet "delvis_bifall"
    Och är regel "VS-P2" uppfylld
    Och är beviljad period "<år>-06" till "<år>-08"
    Och beviljas <belopp> kr

    # Juni och augusti: två skolmånader.
    Exempel:
      | år   | belopp | uträkning  |
      | 2026 | 32000  | 2 × 16 000 |
      | 2027 | 33000  | 2 × 16 500 |

  @VS-P2
  Scenariomall: En period med bara juli avslås <år>
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-07" till "<år>-07"
    När ansökan prövas den "<år>-03-10"
    Så blir utfallet "avslag"
    Och är regel "VS-P2" inte uppfylld

    Exempel:
      | år   |
      | 2026 |
      | 2027 |

  @VS-P3 @VS-G1
  Scenariomall: Högst 11 skolmånader <år> (<start> till <slut>)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<start>" till "<slut>"
    Och sökt belopp är 500000 kr
    När ansökan prövas den "<år>-03-10"
    Så är regel "VS-P3" <P3>
    Och är de avgörande reglerna "<avgörande>"
    Och är beviljad period "<start>" till "<beviljat_slut>"
    Och beviljas <belopp> kr

    # Augusti till juli året därpå är elva skolmånader (juli räknas inte); till augusti tolv.
    # Månadsbeloppen från 2027-01-01 gäller också 2028.
    Exempel:
      | år   | start   | slut    | P3            | avgörande           | beviljat_slut | belopp | uträkning                |
      | 2026 | 2026-08 | 2027-07 | inte uppfylld | VS-G1, VS-L1        | 2027-06       | 179000 | 5 × 16 000 + 6 × 16 500  |
      | 2026 | 2026-08 | 2027-08 | uppfylld      | VS-G1, VS-L1, VS-P3 | 2027-06       | 179000 | 5 × 16 000 + 6 × 16 500  |
      | 2027 | 2027-08 | 2028-07 | inte uppfylld | VS-G1, VS-L1        | 2028-06       | 181500 | 11 × 16 500              |
      | 2027 | 2027-08 | 2028-08 | uppfylld      | VS-G1, VS-L1, VS-P3 | 2028-06       | 181500 | 11 × 16 500              |

  @VS-K1
  Scenariomall: Tid för komplettering <år>: 14 dagar från beslutet
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-04" till "<år>-06"
    Och inget åtgärdsprogram är bifogat
    När ansökan prövas den "<år>-03-10"
    Så blir utfallet "komplettering"
    Och är regel "VS-K1" inte uppfylld
    Och är sista dag för komplettering "<år>-03-24"

    Exempel:
      | år   |
      | 2026 |
      | 2027 |

  @VS-I2
  Scenariomall: Målet för handläggningstid <år>: 28 dagar (beslut <beslutsdag>)
    Givet en ansökan om verksamhetsstöd mottagen "<år>-03-02"
    Och alla underlag är daterade "<år>-02-01"
    Och perioden är "<år>-04" till "<år>-06"
    När ansökan prövas den "<beslutsdag>"
    Så <upplysning>

    Exempel:
      | år   | beslutsdag | upplysning                         |
      | 2026 | 2026-03-30 | är regel "VS-I2" inte uppfylld     |
      | 2026 | 2026-03-31 | lämnar regel "VS-I2" en upplysning |
      | 2027 | 2027-03-30 | är regel "VS-I2" inte uppfylld     |
      | 2027 | 2027-03-31 | lämnar regel "VS-I2" en upplysning |
