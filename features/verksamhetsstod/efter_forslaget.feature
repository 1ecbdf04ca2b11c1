# language: sv
Egenskap: Efter det första förslaget – komplettering, ändrade beslut och handläggningstid
  Handlingar som kommer in senast sista dag för komplettering hör till samma ansökan. Ansökan
  behåller sitt mottagandedatum och alla regler prövas på nytt per det datumet: månaden för
  mottagandet (VS-P1), dokumentens ålder och alla parametrar är de vid första mottagandet, så
  att en skola aldrig förlorar månader eller ett godtaget dokument genom att svara. Ett dokument
  som skickas med kompletteringen får vara daterat efter mottagandet men inte efter dagen då
  kompletteringen kom. Handlingar som kommer efter sista dagen är en ny ansökan.

  Handläggningstiden (VS-I2, kön och all statistik) är dagarna från mottagandet till beslutet,
  minus dagarna från ett beslut om komplettering till dess att handlingarna kom (skolans tur).

  En handläggare med delegation kan ändra förslaget till ett annat utfall av samma slag av
  ärende, alltid med skälkod och motivering (förvaltningslagen 28 §). Ett beviljande beslut
  anger nivå, period (inom den sökta, aldrig före mottagandemånaden) och belopp (högst det
  sökta); det är bifall bara när belopp och period är de sökta. Ett beslut om komplettering
  räknar upp vad som ska skickas in. Det ändrade beslutets text börjar med handläggarens beslut.

  Bakgrund:
    Givet en ansökan om verksamhetsstöd mottagen "2026-03-02"

  @VS-K3 @VS-P1
  Scenario: Komplettering inom tidsfristen behåller mottagandedatum, månader och belopp
    Givet ingen utredning är bifogad
    Och perioden är "2026-03" till "2026-06"
    Och sökt belopp är 64000 kr
    Och ansökan lämnas in och prövas den "2026-03-10"
    När handlingarna kommer den "2026-03-20" med en utredning daterad "2026-03-18"
    Så blir utfallet "bifall"
    Och är regel "VS-K3" uppfylld
    Och beviljas 64000 kr
    Och är beviljad period "2026-03" till "2026-06"
    Och är ansökans mottagandedatum "2026-03-02"

  @VS-K3
  Scenario: Handlingar efter tidsfristen tas inte emot som komplettering
    Givet ingen utredning är bifogad
    Och ansökan lämnas in och prövas den "2026-03-10"
    När handlingarna kommer den "2026-03-25" med en utredning daterad "2026-03-18"
    Så tas handlingarna inte emot med beskedet "efter tidsfristen 2026-03-24"
    Och tas handlingarna inte emot med beskedet "ny ansökan"
    Och väntar ärendet på komplettering senast "2026-03-24"

  @VS-K3
  Scenario: Ett dokument daterat efter kompletteringens ankomst tas inte emot
    Givet ingen utredning är bifogad
    Och ansökan lämnas in och prövas den "2026-03-10"
    När handlingarna kommer den "2026-03-20" med en utredning daterad "2026-03-21"
    Så tas handlingarna inte emot med beskedet "documents.utredning.date"

  @VS-I2
  Scenario: Handläggningstiden står still medan skolan kompletterar
    Givet ingen utredning är bifogad
    Och ansökan lämnas in och prövas den "2026-03-10"
    När handlingarna kommer den "2026-03-20" med en utredning daterad "2026-03-18"
    Så har ärendet 8 dagars handläggningstid den "2026-03-20"
    Och har ärendet 38 dagars handläggningstid den "2026-04-19"
    Och innehåller motiveringen för regel "VS-I2" "väntat 8 dagar"

  @VS-I2
  Scenario: Medan handlingarna väntas räknas bara tiden fram till begäran
    Givet ingen utredning är bifogad
    Och ansökan lämnas in och prövas den "2026-03-10"
    Så har ärendet 8 dagars handläggningstid den "2026-03-23"

  @VS-G1
  Scenario: Ändring till delvis bifall inom ramarna sparas och texten börjar med handläggarens beslut
    Givet eleven behöver 3 timmar extraordinärt stöd per vecka
    Och ansökan lämnas in och prövas den "2026-03-10"
    När handläggaren ändrar förslaget till "delvis_bifall" med nivå 1, perioden "2026-04..2026-05" och beloppet 14000 kr den "2026-03-11"
    Så är beslutet "delvis_bifall" med beloppet 14000 kr
    Och börjar beslutstexten med "Beslut fattat 2026-03-11 av Anna Lindqvist (handläggare med delegation): Delvis bifall."
    Och står i beslutstexten "Motorns förslag (avslag) följdes inte"

  @VS-G1
  Scenario: Ändring till ett belopp över det sökta avvisas och inget sparas
    Givet eleven behöver 3 timmar extraordinärt stöd per vecka
    Och ansökan lämnas in och prövas den "2026-03-10"
    När handläggaren ändrar förslaget till "bifall" med nivå 4, perioden "2026-04..2026-06" och beloppet 5000000 kr den "2026-03-11"
    Så avvisas ändringen med beskedet "--amount"
    Och sparades inget beslut

  @VS-G1
  Scenario: Bifall kräver det sökta beloppet och hela den sökta perioden
    Givet eleven behöver 3 timmar extraordinärt stöd per vecka
    Och ansökan lämnas in och prövas den "2026-03-10"
    När handläggaren ändrar förslaget till "bifall" med nivå 1, perioden "2026-04..2026-05" och beloppet 48000 kr den "2026-03-11"
    Så avvisas ändringen med beskedet "delvis_bifall"
    Och sparades inget beslut

  @VS-K1
  Scenario: Ändring till komplettering räknar upp vad som ska skickas och när
    Givet ansökan lämnas in och prövas den "2026-03-10"
    När handläggaren begär komplettering av "Läkarintyg om elevens behov" den "2026-03-11"
    Så väntar ärendet på komplettering senast "2026-03-25"
    Och står i beslutstexten "- Läkarintyg om elevens behov"
