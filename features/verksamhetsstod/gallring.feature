# language: sv
Egenskap: Gallring av diagnoser och behovsbeskrivningar
  Stadens dokumenthanteringsplan (arkivlagen, dataskyddsförordningen art. 5.1 e) säger hur länge
  uppgifterna i ett ärende sparas. Elevens diagnoser och behovsbeskrivningen behövs bara medan
  ärendet är öppet och kan omprövas: de gallras två år efter det senare av dagen då beslutet fick
  laga kraft (verksamhetsstöd kan inte överklagas, så beslutsdagen) och slutet av den beviljade
  perioden. Kvar blir det som reglerna prövade (att en beskrivning lämnades och att diagnoser
  angavs, inte orden), så att varje beslut kan omprövas med samma utfall och belopp. Varje
  gallring antecknas i ärendets historik och historiken går fortfarande att kontrollera.
  Själva beslutet (utfall, belopp, brev, historik) sparas tio år efter periodens slut och gallras
  sedan; kvar blir en anteckning om att ärendet fanns och gallrades, så att stadens samlade
  historik fortfarande går att kontrollera. Perioderna står i
  rules/retention/dokumenthanteringsplan.yaml.

  Bakgrund:
    Givet ärendet "VS-G-KORT" med diagnoser och behovsbeskrivning, beviljat den "2026-03-20" för perioden "2026-03" till "2026-06"
    Och ärendet "VS-G-LANG" med diagnoser och behovsbeskrivning, beviljat den "2026-03-20" för perioden "2026-08" till "2027-06"
    Och ärendet "VS-G-OPPET" med diagnoser och behovsbeskrivning, som inte är beslutat

  Scenariomall: Gallringen räknas från periodens slut
    När gallringen körs den "<dag>"
    Så är diagnoserna och behovsbeskrivningen <kort> i ärendet "VS-G-KORT"
    Och är diagnoserna och behovsbeskrivningen kvar i ärendet "VS-G-LANG"
    Och är diagnoserna och behovsbeskrivningen kvar i ärendet "VS-G-OPPET"

    Exempel:
      | dag        | kort   |
      | 2028-06-29 | kvar   |
      | 2028-06-30 | borta  |

  Scenario: Efter båda perioderna är båda besluten gallrade, det öppna ärendet inte
    När gallringen körs den "2029-07-01"
    Så är diagnoserna och behovsbeskrivningen borta i ärendet "VS-G-KORT"
    Och är diagnoserna och behovsbeskrivningen borta i ärendet "VS-G-LANG"
    Och är diagnoserna och behovsbeskrivningen kvar i ärendet "VS-G-OPPET"
    Och har ärendet "VS-G-LANG" en händelse "gallring" enligt "DHP-GALLRING-1"
    Och omprövas alla 3 beslutsförslag med samma utfall och belopp
    Och är historiken hel enligt stod audit verify

  Scenariomall: Tio år efter periodens slut gallras hela ärendet
    När gallringen körs den "<dag>"
    Så är ärendet "VS-G-KORT" <kort>
    Och är ärendet "VS-G-LANG" kvar
    Och är ärendet "VS-G-OPPET" kvar
    Och omprövas alla <förslag> beslutsförslag med samma utfall och belopp
    Och är historiken hel enligt stod audit verify

    Exempel:
      | dag        | kort                                      | förslag |
      | 2036-06-29 | kvar                                      | 3       |
      | 2036-06-30 | borttaget och gallrat enligt "DHP-GALLRING-2" | 2       |

  Scenario: En provkörning listar vad som skulle gallras och ändrar ingenting
    När gallringen provkörs den "2029-07-01"
    Så listar provkörningen ärendena "VS-G-KORT, VS-G-LANG"
    Och är diagnoserna och behovsbeskrivningen kvar i ärendet "VS-G-KORT"
    Och är databasen oförändrad

  Scenario: En andra körning gallrar ingenting mer
    När gallringen körs den "2029-07-01"
    Och gallringen körs den "2029-07-01"
    Så gallrade den sista körningen 0 ärenden
    Och har ärendet "VS-G-KORT" 1 händelse "gallring"
    Och är historiken hel enligt stod audit verify
