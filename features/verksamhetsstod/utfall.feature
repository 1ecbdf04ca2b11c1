# language: sv
Egenskap: Utfall och företräde mellan utfallen
  Varje regel prövas i varje ansökan och varje resultat redovisas, så att rektor får veta allt
  som saknas på en gång. Utfallet är det första som gäller i denna ordning:
  1. avvisning – ansökan kan inte prövas (en formell förutsättning saknas),
  2. avslag – en materiell grund utesluter stöd, vilka underlag som än läggs till,
  3. komplettering – prövningen väntar på de underlag som räknas upp,
  4. delvis bifall – stöd beviljas, men med lägre belopp eller kortare period än det sökta,
  5. bifall – stöd beviljas som det söktes.
  Ett beslut ska enligt förvaltningslagen 32 § ange de skäl som bestämt utgången: reglerna som
  tillämpats och de omständigheter som varit avgörande. Beslutet är ett förslag tills en
  handläggare med delegation fastställer det.

  Bakgrund:
    Givet en ansökan om verksamhetsstöd mottagen "2026-03-02"

  @VS-A1 @VS-S1 @VS-K1
  Scenario: Avvisning går före avslag och komplettering, men allt redovisas
    Givet sökanden har rollen "specialpedagog"
    Och de sökta stödåtgärderna är "extra_anpassningar"
    Och inget åtgärdsprogram är bifogat
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avvisning"
    Och är de avgörande reglerna "VS-A1"
    Och är regel "VS-S1" inte uppfylld
    Och är regel "VS-K1" inte uppfylld
    Och är regel "VS-S1" inte avgörande
    Och beviljas inget belopp

  @VS-S2 @VS-K3 @VS-L1
  Scenario: Avslag går före komplettering, och saknade underlag nämns för en ny ansökan
    Givet eleven behöver 3 timmar extraordinärt stöd per vecka
    Och ingen utredning är bifogad
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "avslag"
    Och är de avgörande reglerna "VS-S2"
    Och är regel "VS-K3" inte uppfylld
    Och är regel "VS-L1" inte prövad
    Och innehåller beslutstexten "Vad som kan ändra utfallet"
    Och innehåller beslutstexten "Observera att även detta underlag saknas och behövs i en ny ansökan:"
    Och innehåller beslutstexten "Ansökan gäller 3 timmar extraordinärt stöd per vecka. För verksamhetsstöd krävs minst 5 timmar."

  @VS-K7 @VS-P1
  Scenario: Komplettering går före beviljande
    Givet vårdnadshavarna är inte informerade
    Och perioden är "2026-01" till "2026-06"
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K7"
    Och är regel "VS-P1" inte prövad
    Och beviljas inget belopp

  @VS-G1
  Scenariomall: Delvis bifall eller bifall (sökt <sökt> kr för <start> till <slut>)
    Givet perioden är "<start>" till "<slut>"
    Och sökt belopp är <sökt> kr
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "<utfall>"
    Och beviljas <belopp> kr

    Exempel:
      | start   | slut    | sökt  | utfall        | belopp | varför                                  |
      | 2026-04 | 2026-06 | 48000 | bifall        | 48000  | belopp och period som sökt              |
      | 2026-04 | 2026-06 | 30000 | bifall        | 30000  | lägre sökt belopp beviljas helt         |
      | 2026-04 | 2026-06 | 50000 | delvis_bifall | 48000  | lägre belopp än sökt                    |
      | 2026-02 | 2026-06 | 30000 | delvis_bifall | 30000  | kortare period än sökt (VS-P1)          |

  @VS-G1 @VS-L1
  Scenario: Ett bifall anger belopp, nivå, månader och vilka regler som var uppfyllda
    När ansökan prövas den "2026-03-10"
    Så blir utfallet "bifall"
    Och är de avgörande reglerna "VS-G1, VS-L1"
    Och är nivån 2
    Och är regel "VS-L1" uppfylld
    Och innehåller beslutstexten "Beslut: Bifall."
    Och innehåller beslutstexten "Beviljat belopp: 48 000 kr, nivå 2, för april–juni 2026 (tre skolmånader)."
    Och innehåller beslutstexten "Nivå efter antal timmar (VS-L1): 10 timmar extraordinärt stöd per vecka ger nivå 2."
    Och innehåller beslutstexten "Det här uppfyller ansökan"
    Och innehåller beslutstexten "Regelverk: Verksamhetsstöd, version"
    Och innehåller beslutstexten "Beslutet är ett förslag tills en handläggare med delegation har fastställt det."

  @VS-I1 @VS-I2
  Scenario: Upplysningar avgör aldrig utfallet
    Givet skolans socioekonomiska index är inte angivet
    När ansökan prövas den "2026-05-29"
    Så blir utfallet "bifall"
    Och är de avgörande reglerna "VS-G1, VS-L1"
    Och är regel "VS-I1" inte uppfylld
    Och lämnar regel "VS-I2" en upplysning

  Scenariomall: En ansökan som inte kan läsas avvisas vid intaget (<fält>)
    Givet <ändring>
    När ansökan prövas den "2026-03-10"
    Så avvisas ansökan vid intaget med fel i fältet "<fält>"

    Exempel:
      | ändring                                             | fält                                         |
      | perioden är "2026-06" till "2026-04"                | period                                       |
      | en ansökan om verksamhetsstöd mottagen "2025-12-31" | received                                     |
      | fältet "need.description" saknas i ansökan          | need.description                             |
      | utredningen är daterad "2026-03-03"                 | documents.utredning.date                     |
      | sökt belopp är 0 kr                                 | requested_amount_sek                         |
