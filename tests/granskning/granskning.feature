# language: sv
Egenskap: Granskning av beslutsregistret
  En revisor ska kunna kontrollera, utan att läsa kod, att varje beslut följde de regler som
  gällde på beslutsdagen, att inget i akten har ändrats i efterhand och vad en föreslagen
  regeländring skulle betyda för verkliga ärenden. Händelserna i ett ärende är kedjade med
  hashvärden; varje beslutsförslag sparar regelversion, beslutsdag och parametervärden.

  Bakgrund:
    Givet ett ärenderegister där kontraktets exempelansökningar är prövade och beslutade

  Scenario: Ett orört register omprövas identiskt
    När alla beslutsförslag omprövas
    Så är alla beslutsförslag identiska vid omprövningen
    Och är händelsekedjorna hela

  Scenario: Ett belopp som ändrats i databasen upptäcks vid omprövning
    Givet att beloppet i ett beviljat beslutsförslag har ändrats direkt i databasen
    När alla beslutsförslag omprövas
    Så visar omprövningen en avvikelse i fältet "amount_sek"
    Och visar kontrollen av händelsekedjorna att beslutet är ändrat

  Scenariomall: En händelse som ändrats eller tagits bort i databasen pekas ut
    Givet att händelse <händelse> i ärende <ärende> har <åtgärd> direkt i databasen
    När händelsekedjorna kontrolleras
    Så pekas ärende <ärende> händelse <utpekad> ut som felaktig

    Exempel:
      | händelse | ärende | åtgärd                | utpekad |
      | 1        | 2      | fått en annan aktör   | 1       |
      | 3        | 3      | fått ett annat belopp | 3       |
      | 2        | 4      | tagits bort           | 3       |

  Scenario: Regler som ändrats efter besluten omprövas med de sparade regelfilerna
    Givet att minsta antal timmar extraordinärt stöd per vecka i rules/ har ändrats till 25
    När alla beslutsförslag omprövas
    Så är alla beslutsförslag identiska vid omprövningen

  Scenario: En föreslagen regeländring prövas mot ärendena utan att något sparas
    Givet ett regelförslag där minsta antal timmar extraordinärt stöd per vecka är 25
    När regelförslaget prövas mot registret
    Så får minst ett beviljat ärende avslag
    Och är det beviljade beloppet efter förslaget lägre än före
    Och är registret oförändrat
