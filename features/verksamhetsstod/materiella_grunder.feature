# language: sv
Egenskap: Materiella grunder – när ansökan avslås (VS-S1, VS-S2, VS-P2, VS-N2)
  Grundbeloppet (skolpeng och socioekonomiskt tillägg) täcker redan ledning och stimulans,
  extra anpassningar och ordinärt särskilt stöd, till exempel specialpedagogiskt stöd, anpassad
  studiegång och undervisning i särskild undervisningsgrupp. Verksamhetsstöd lämnas bara för
  assistenthjälp eller andra extraordinära stödåtgärder (skolförordningen 14 kap. 8 §) till en
  elev med omfattande behov av särskilt stöd. Faller ansökan på en materiell grund avslås den,
  vilka underlag som än läggs till.

  VS-S1: Minst en sökt åtgärd är extraordinär (assistenthjälp eller annan extraordinär åtgärd).
  VS-S2: Det extraordinära stödet är minst 5 timmar per vecka; 4,5 timmar räcker inte.
  VS-P2: Perioden har minst en skolmånad från mottagningsmånaden och framåt, eftersom
  "bidraget lämnas inte retroaktivt". Juli är ingen skolmånad.
  VS-N2: Efter avräkning av extra grundbelopp (VS-N1) återstår ett belopp större än 0 kr.
  Regeln prövas bara när VS-S1, VS-S2 och VS-P2 är uppfyllda.

  Bakgrund:
    Givet en ansökan om verksamhetsstöd mottagen "2026-03-02"

  @VS-S1
  Scenariomall: Extraordinärt stöd kan ge verksamhetsstöd (<åtgärder>)
    Givet de sökta stödåtgärderna är "<åtgärder>"
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-S1" uppfylld
    Och blir utfallet "bifall"

    Exempel:
      | åtgärder                          |
      | assistenthjalp                    |
      | annan_extraordinar                |
      | assistenthjalp,annan_extraordinar |

  @VS-S1
  Scenario: Ordinära åtgärder bredvid extraordinära nämns som upplysning
    Givet de sökta stödåtgärderna är "assistenthjalp, specialpedagog, anpassad_studiegang"
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-S1" uppfylld
    Och blir utfallet "bifall"
    Och innehåller beslutstexten "Grundbeloppet täcker redan specialpedagogiskt stöd och anpassad studiegång, så det ingår inte i verksamhetsstödet."

  @VS-S1 @VS-N2
  Scenariomall: Bara ordinära åtgärder avslås (<åtgärder>)
    Givet de sökta stödåtgärderna är "<åtgärder>"
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "VS-S1"
    Och är regel "VS-S1" inte uppfylld
    Och är regel "VS-N2" inte prövad
    Och innehåller beslutstexten "Verksamhetsstöd lämnas bara för assistenthjälp eller annan extraordinär stödåtgärd"

    Exempel:
      | åtgärder                                                                                     |
      | extra_anpassningar                                                                           |
      | sarskild_undervisningsgrupp                                                                  |
      | extra_anpassningar,ledning_stimulans,specialpedagog,anpassad_studiegang,sarskild_undervisningsgrupp |

  Scenario: En okänd stödåtgärd avvisas vid intaget
    Givet de sökta stödåtgärderna är "hemundervisning"
    När ansökan prövas den "2026-03-10"
    Så avvisas ansökan vid intaget med fel i fältet "need.measures[0]"
    Och säger felet "'hemundervisning' är ingen stödåtgärd i regelverket"

  Scenario: En ansökan utan stödåtgärder avvisas vid intaget
    Givet inga stödåtgärder är sökta
    När ansökan prövas den "2026-03-10"
    Så avvisas ansökan vid intaget med fel i fältet "need.measures"

  @VS-S2
  Scenariomall: Behovet är omfattande från 5 timmar per vecka (<timmar> timmar)
    Givet eleven behöver <timmar> timmar extraordinärt stöd per vecka
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-S2" <status>
    Och blir utfallet "<utfall>"

    Exempel:
      | timmar | status          | utfall        |
      | 0      | inte uppfylld   | avslag        |
      | 4.5    | inte uppfylld   | avslag        |
      | 4.99   | inte uppfylld   | avslag        |
      | 5      | uppfylld        | delvis_bifall |
      | 45     | uppfylld        | bifall        |

  @VS-S2 @VS-N2
  Scenario: Avslag under 5 timmar säger vad som kan ändra utfallet
    Givet eleven behöver 4.5 timmar extraordinärt stöd per vecka
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "VS-S2"
    Och är regel "VS-N2" inte prövad
    Och innehåller beslutstexten "Ansökan gäller 4,5 timmar extraordinärt stöd per vecka. För verksamhetsstöd krävs minst 5 timmar."
    Och innehåller beslutstexten "Ett behov på minst 5 timmar per vecka kan prövas i en ny ansökan"

  Scenario: Fler än 45 timmar per vecka avvisas vid intaget
    Givet eleven behöver 46 timmar extraordinärt stöd per vecka
    När ansökan prövas den "2026-03-10"
    Så avvisas ansökan vid intaget med fel i fältet "need.extraordinary_hours_per_week"

  @VS-P2
  Scenariomall: Perioden har en skolmånad från mottagningsmånaden (<start> till <slut>)
    Givet perioden är "<start>" till "<slut>"
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-P2" uppfylld

    Exempel:
      | start   | slut    |
      | 2026-03 | 2026-03 |
      | 2026-01 | 2026-03 |
      | 2026-07 | 2026-08 |
      | 2027-01 | 2027-02 |

  @VS-P2 @VS-N2
  Scenariomall: En period utan skolmånad från mottagningsmånaden avslås (<start> till <slut>)
    Givet perioden är "<start>" till "<slut>"
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "VS-P2"
    Och är regel "VS-P2" inte uppfylld
    Och är regel "VS-N2" inte prövad
    Och innehåller beslutstexten "Stödet lämnas inte retroaktivt; sök för en period från och med mars 2026."

    Exempel:
      | start   | slut    |
      | 2025-08 | 2026-02 |
      | 2026-02 | 2026-02 |

  @VS-P2
  Scenario: En period med bara juli avslås
    Givet en ansökan om verksamhetsstöd mottagen "2026-06-15"
    Och perioden är "2026-07" till "2026-07"
    När ansökan prövas den "2026-06-20"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "VS-P2"
    Och innehåller beslutstexten "juli är ingen skolmånad"

  @VS-N2
  Scenario: Det återstår ett belopp efter avräkning
    Givet eleven behöver 10 timmar extraordinärt stöd per vecka
    Och eleven är 90 % av skoltiden i särskild undervisningsgrupp
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-N2" uppfylld
    Och innehåller motiveringen för regel "VS-N2" "Efter avräkning återstår 25 500 kr för tre skolmånader"

  @VS-N2 @VS-N1
  Scenariomall: Nivå 1 avräknas till 0 kr och avslås (<start> till <slut>)
    Givet eleven behöver 5 timmar extraordinärt stöd per vecka
    Och eleven är 90 % av skoltiden i särskild undervisningsgrupp
    Och perioden är "<start>" till "<slut>"
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "VS-N2"
    Och är regel "VS-N2" inte uppfylld
    Och beviljas inget belopp
    Och innehåller beslutstexten "Nivå 1 ger efter avräkning av extra grundbelopp 0 kr"

    # 2026: 7 000 kr − 7 500 kr; 2027: 7 200 kr − 7 700 kr; båda blir 0 kr (inte under 0).
    Exempel:
      | start   | slut    |
      | 2026-04 | 2026-06 |
      | 2026-08 | 2027-06 |
