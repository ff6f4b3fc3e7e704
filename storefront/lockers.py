"""Parcel lockers (Paczkomaty InPost) the website checkout offers for APM delivery.

A real shop loads points from InPost's Points API or embeds the Geowidget; the
demo keeps a fixed list so the checkout works offline. The code is what both
channels store as the order's `delivery_point` (docs/inpost-pay-api.md §3.5 `delivery.delivery_point`,
e.g. "KRA010"), so an order placed in the InPost app and one placed on the
website read the same way in the back office.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locker:
    code: str
    city: str
    street: str
    postal_code: str
    description: str

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


LOCKERS: tuple[Locker, ...] = (
    Locker("KRA010", "Kraków", "ul. Karmelicka 45", "31-128", "Przy sklepie Żabka, wejście od ulicy"),
    Locker("KRA01M", "Kraków", "ul. Lipowa 4", "30-702", "Przy parkingu Galerii Lipowa, obok bankomatu"),
    Locker("KRA112", "Kraków", "os. Centrum E 12", "31-934", "Nowa Huta, obok apteki, czynny 24/7"),
    Locker("WAW22A", "Warszawa", "ul. Marszałkowska 104", "00-017", "Stacja metra Świętokrzyska, wyjście nr 3"),
    Locker("WAW305M", "Warszawa", "ul. Grochowska 207", "04-077", "Przy wejściu do supermarketu"),
    Locker("WAW58H", "Warszawa", "al. Komisji Edukacji Narodowej 14", "02-797", "Ursynów, parking przy pływalni"),
    Locker("GDA117M", "Gdańsk", "ul. Grunwaldzka 141", "80-264", "Wrzeszcz, pod wiatą obok przystanku"),
    Locker("GDY05N", "Gdynia", "ul. Świętojańska 35", "81-391", "Przy kiosku, róg ul. 10 Lutego"),
    Locker("POZ08M", "Poznań", "ul. Głogowska 74", "60-263", "Łazarz, przy stacji paliw"),
    Locker("WRO24A", "Wrocław", "pl. Grunwaldzki 22", "50-363", "Pasaż Grunwaldzki, poziom 0, przy wejściu B"),
    Locker("LOD11N", "Łódź", "ul. Piotrkowska 160", "90-368", "W bramie, obok punktu ksero"),
    Locker("BIA03M", "Białystok", "ul. Lipowa 12", "15-427", "Przy przystanku Lipowa / Malmeda"),
)

_BY_CODE = {locker.code: locker for locker in LOCKERS}


def find_locker(code: object) -> Locker | None:
    """The locker with this code (case and surrounding spaces ignored), or None."""
    if not isinstance(code, str):
        return None
    return _BY_CODE.get(code.strip().upper())
