# language: sv
Egenskap: Upplysningar till handläggaren (VS-I1, VS-I2)
  Upplysningar redovisas i varje beslut men avgör aldrig utfallet.

  VS-I1: Skolans socioekonomiska index visas som bakgrund för handläggaren. Bedömningen är
  individuell och gäller elevens behov (i linje med HFD 2020 ref. 8); index påverkar inte beslutet.
  VS-I2: Ärendet har väntat längre än målet för handläggningstid, 28 dagar från mottagandet
  till beslut. Myndigheten ska handlägga ärenden snabbt (förvaltningslagen 11–12 §§).

  Bakgrund:
    Givet en ansökan om verksamhetsstöd mottagen "2026-03-02"

  @VS-I1
  Scenariomall: Skolans socioekonomiska index redovisas (<index>)
    Givet skolans socioekonomiska index är <index>
    När ansökan prövas den "2026-03-10"
    Så lämnar regel "VS-I1" en upplysning
    Och blir utfallet "bifall"
    Och är regel "VS-I1" inte avgörande
    Och innehåller beslutstexten "Skolans socioekonomiska index är <text> (upplysning; påverkar inte beslutet)."

    Exempel:
      | index | text  |
      | 171.5 | 171,5 |
      | 0     | 0     |

  @VS-I1
  Scenario: Ett index som inte är angivet påverkar inte beslutet
    Givet skolans socioekonomiska index är inte angivet
    När ansökan prövas den "2026-03-10"
    Så är regel "VS-I1" inte uppfylld
    Och blir utfallet "bifall"
    Och innehåller beslutstexten "Skolans socioekonomiska index är inte angivet"

  @VS-I2
  Scenariomall: Handläggningstiden mot målet 28 dagar (beslut <beslutsdag>)
    När ansökan prövas den "<beslutsdag>"
    Så <upplysning>
    Och blir utfallet "bifall"
    Och innehåller beslutstexten "<text>"

    Exempel:
      | beslutsdag | upplysning                          | text                                                           |
      | 2026-03-02 | är regel "VS-I2" inte uppfylld      | Ärendet har väntat 0 dagar; målet är 28 dagar.                  |
      | 2026-03-30 | är regel "VS-I2" inte uppfylld      | Ärendet har väntat 28 dagar; målet är 28 dagar.                 |
      | 2026-03-31 | lämnar regel "VS-I2" en upplysning  | Ärendet har väntat 29 dagar sedan mottagandet; målet är 28 dagar. |
      | 2026-06-01 | lämnar regel "VS-I2" en upplysning  | Ärendet har väntat 91 dagar sedan mottagandet; målet är 28 dagar. |

  @VS-I2
  Scenario: En sen komplettering räknar sista dagen från beslutsdagen
    Givet vårdnadshavarna är inte informerade
    När ansökan prövas den "2026-04-15"
    Så lämnar regel "VS-I2" en upplysning
    Och blir utfallet "komplettering"
    Och är de avgörande reglerna "VS-K7"
    Och är sista dag för komplettering "2026-04-29"
