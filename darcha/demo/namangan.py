"""The Namangan demo: organizations, catalog, procedures, counters and users, as plain data.

`darcha.demo.loader` turns these structures into records through the service functions.
Texts are given as (Uzbek Latin, Russian, English) triples; Uzbek Cyrillic is left empty on
purpose, it is transliterated from the Latin text when shown. Uzbek is written with ʻ (U+02BB)
in oʻ and gʻ and ʼ (U+02BC) for the tutuq belgisi (maʼlumot, taʼlim).

Fees and terms are plausible demo values, not legal references (DESIGN §5).
"""

PASSWORD = "darcha-demo"  # noqa: S105 — the shared password of the demo users, local use only

# --- Organizations ---------------------------------------------------------------------------
REGION = "namangan-region"
REGION_HOKIMIYAT = "namangan-region-hokimiyat"
CITY = "namangan-city"
CITY_HOKIMIYAT = "namangan-city-hokimiyat"
CENTER = "namangan-city-center"
DISTRICT = "yangikurgan-district"
DISTRICT_HOKIMIYAT = "yangikurgan-hokimiyat"

CADASTRE = "namangan-cadastre"
TAX = "namangan-tax"
FHDYO = "namangan-fhdyo"
JUSTICE = "namangan-justice"
JUSTICE_REGION = "namangan-region-justice"
MIGRATION = "namangan-migration"
INFO_CENTER = "namangan-region-info-center"
YHXB = "namangan-region-yhxb"
CONSTRUCTION = "namangan-construction-inspection"
ARCHITECTURE = "namangan-architecture"
FIRE = "namangan-fire-safety"
SES = "namangan-ses"
PRESCHOOL = "namangan-preschool"
PENSION = "namangan-pension-fund"
EMPLOYMENT = "namangan-employment"
NOTARY = "namangan-notary-1"
GAS = "namangan-gas"
POWER = "namangan-power"
WATER = "namangan-water"
LAND = "namangan-land"
MAHALLA = "namangan-mahalla"
SOCIAL = "namangan-social-protection"
ARCHIVE = "namangan-region-archive"

# Parents come before their children. Agencies carry `loc` (where a step happens, for the
# status line citizens see) and `short` names in the three languages.
ORGANIZATIONS = [
    {
        "code": REGION,
        "kind": "region",
        "parent": None,
        "name": ("Namangan viloyati", "Наманганская область", "Namangan Region"),
    },
    {
        "code": REGION_HOKIMIYAT,
        "kind": "hokimiyat",
        "parent": REGION,
        "name": ("Namangan viloyati hokimligi", "Хокимият Наманганской области", "Namangan Regional Hokimiyat"),
        "address": "Namangan sh., Islom Karimov koʻchasi, 10",
        "phone": "+998 69 227-00-00",
        "website": "https://namangan.uz",
    },
    {
        "code": CITY,
        "kind": "city",
        "parent": REGION,
        "name": ("Namangan shahri", "город Наманган", "Namangan City"),
    },
    {
        "code": CITY_HOKIMIYAT,
        "kind": "hokimiyat",
        "parent": CITY,
        "name": ("Namangan shahar hokimligi", "Хокимият города Наманган", "Namangan City Hokimiyat"),
        "address": "Namangan sh., Navoiy koʻchasi, 1",
        "phone": "+998 69 226-01-01",
    },
    {
        "code": CENTER,
        "kind": "center",
        "parent": CITY,
        "name": (
            "Namangan shahar Davlat xizmatlari markazi",
            "Центр государственных услуг города Наманган",
            "Namangan City Public Services Center",
        ),
        "short_name": "DXM Namangan",
        "address": "Namangan sh., Uychi koʻchasi, 45",
        "phone": "+998 69 233-11-22",
        "email": "namangan.city@dxm.example",
    },
    {
        "code": DISTRICT,
        "kind": "district",
        "parent": REGION,
        "name": ("Yangiqoʻrgʻon tumani", "Янгикурганский район", "Yangikurgan District"),
    },
    {
        "code": DISTRICT_HOKIMIYAT,
        "kind": "hokimiyat",
        "parent": DISTRICT,
        "name": ("Yangiqoʻrgʻon tumani hokimligi", "Хокимият Янгикурганского района", "Yangikurgan District Hokimiyat"),
        "address": "Yangiqoʻrgʻon sh., Mustaqillik koʻchasi, 2",
        "phone": "+998 69 442-10-10",
    },
    # --- agencies of the region ---
    {
        "code": JUSTICE_REGION,
        "kind": "agency",
        "parent": REGION,
        "name": (
            "Namangan viloyati adliya boshqarmasi",
            "Управление юстиции Наманганской области",
            "Justice Department of Namangan Region",
        ),
        "short": ("Viloyat adliya boshqarmasi", "Управление юстиции", "Regional justice department"),
        "loc": ("Viloyat adliya boshqarmasida", "в управлении юстиции", "at the regional justice department"),
        "address": "Namangan sh., Boburshoh koʻchasi, 8",
    },
    {
        "code": INFO_CENTER,
        "kind": "agency",
        "parent": REGION,
        "name": (
            "Namangan viloyati IIB Axborot-tahlil markazi",
            "Информационно-аналитический центр УВД Наманганской области",
            "Information and Analysis Center of the Namangan Regional Police",
        ),
        "short": ("IIB axborot markazi", "ИАЦ УВД", "Police information center"),
        "loc": ("IIB axborot markazida", "в информационном центре УВД", "at the police information center"),
    },
    {
        "code": YHXB,
        "kind": "agency",
        "parent": REGION,
        "name": (
            "Namangan viloyati IIB Yoʻl harakati xavfsizligi boshqarmasi (YHXB)",
            "Управление безопасности дорожного движения УВД Наманганской области (УБДД)",
            "Road Traffic Safety Department (YHXB), Namangan Regional Police",
        ),
        "short": ("YHXB", "УБДД", "Road traffic safety"),
        "loc": ("YHXBda", "в УБДД", "at the road traffic safety department"),
        "address": "Namangan sh., Kosonsoy koʻchasi, 120",
    },
    {
        "code": ARCHIVE,
        "kind": "agency",
        "parent": REGION,
        "name": (
            "Namangan viloyati davlat arxivi",
            "Государственный архив Наманганской области",
            "State Archive of Namangan Region",
        ),
        "short": ("Davlat arxivi", "Госархив", "State archive"),
        "loc": ("Davlat arxivida", "в государственном архиве", "at the state archive"),
    },
    # --- agencies of the city ---
    {
        "code": CADASTRE,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Kadastr agentligi Namangan shahar boʻlimi",
            "Отдел Агентства по кадастру города Наманган",
            "Cadastre Agency, Namangan City Office",
        ),
        "short": ("Kadastr", "Кадастр", "Cadastre"),
        "loc": ("Kadastr agentligida", "в Агентстве по кадастру", "at the Cadastre Agency"),
        "address": "Namangan sh., Labbay koʻchasi, 14",
        "phone": "+998 69 227-45-45",
    },
    {
        "code": TAX,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar davlat soliq inspeksiyasi",
            "Государственная налоговая инспекция города Наманган",
            "Namangan City State Tax Inspectorate",
        ),
        "short": ("Soliq inspeksiyasi", "Налоговая инспекция", "Tax inspectorate"),
        "loc": ("Soliq inspeksiyasida", "в налоговой инспекции", "at the tax inspectorate"),
    },
    {
        "code": FHDYO,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar Fuqarolik holati dalolatnomalarini yozish (FHDYO) boʻlimi",
            "Отдел записи актов гражданского состояния (ЗАГС) города Наманган",
            "Namangan City Civil Registry Office (ZAGS)",
        ),
        "short": ("FHDYO", "ЗАГС", "Civil registry"),
        "loc": ("FHDYO boʻlimida", "в отделе ЗАГС", "at the civil registry office"),
    },
    {
        "code": JUSTICE,
        "kind": "agency",
        "parent": CITY,
        "name": ("Namangan shahar adliya boʻlimi", "Отдел юстиции города Наманган", "Namangan City Justice Department"),
        "short": ("Adliya", "Юстиция", "Justice"),
        "loc": ("Adliya boʻlimida", "в отделе юстиции", "at the justice department"),
    },
    {
        "code": MIGRATION,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar IIB Migratsiya va fuqarolikni rasmiylashtirish boʻlimi",
            "Отдел миграции и оформления гражданства УВД города Наманган",
            "Migration and Citizenship Department, Namangan City Police",
        ),
        "short": ("IIB migratsiya", "Миграция УВД", "Migration"),
        "loc": ("Migratsiya boʻlimida", "в отделе миграции", "at the migration department"),
    },
    {
        "code": CONSTRUCTION,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar qurilish va uy-joy kommunal xoʻjaligi sohasida nazorat inspeksiyasi",
            "Инспекция по контролю в сфере строительства и ЖКХ города Наманган",
            "Construction and Housing Inspection, Namangan City",
        ),
        "short": ("Qurilish inspeksiyasi", "Стройинспекция", "Construction inspection"),
        "loc": ("Qurilish inspeksiyasida", "в инспекции по строительству", "at the construction inspection"),
    },
    {
        "code": ARCHITECTURE,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar arxitektura va qurilish boʻlimi",
            "Отдел архитектуры и строительства города Наманган",
            "Namangan City Architecture Department",
        ),
        "short": ("Arxitektura", "Архитектура", "Architecture"),
        "loc": ("Arxitektura boʻlimida", "в отделе архитектуры", "at the architecture department"),
    },
    {
        "code": FIRE,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar FVV Yongʻin xavfsizligi boʻlimi",
            "Отдел пожарной безопасности МЧС города Наманган",
            "Fire Safety Department (Emergency Ministry), Namangan City",
        ),
        "short": ("FVV yongʻin xavfsizligi", "Пожарная безопасность", "Fire safety"),
        "loc": ("Yongʻin xavfsizligi boʻlimida", "в службе пожарной безопасности", "at the fire safety department"),
    },
    {
        "code": SES,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar sanitariya-epidemiologik osoyishtalik va jamoat salomatligi boʻlimi (SES)",
            "Отдел санитарно-эпидемиологического благополучия и общественного здоровья города Наманган (СЭС)",
            "Sanitary and Epidemiological Service (SES), Namangan City",
        ),
        "short": ("SES", "СЭС", "SES"),
        "loc": ("SESda", "в СЭС", "at the sanitary service"),
    },
    {
        "code": PRESCHOOL,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar maktabgacha taʼlim boʻlimi",
            "Отдел дошкольного образования города Наманган",
            "Namangan City Preschool Education Department",
        ),
        "short": ("Maktabgacha taʼlim", "Дошкольное образование", "Preschool education"),
        "loc": (
            "Maktabgacha taʼlim boʻlimida",
            "в отделе дошкольного образования",
            "at the preschool education department",
        ),
    },
    {
        "code": PENSION,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Budjetdan tashqari Pensiya jamgʻarmasi Namangan shahar boʻlimi",
            "Отдел Внебюджетного пенсионного фонда города Наманган",
            "Pension Fund, Namangan City Office",
        ),
        "short": ("Pensiya jamgʻarmasi", "Пенсионный фонд", "Pension fund"),
        "loc": ("Pensiya jamgʻarmasida", "в Пенсионном фонде", "at the Pension Fund"),
    },
    {
        "code": EMPLOYMENT,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar aholi bandligiga koʻmaklashish markazi",
            "Центр содействия занятости населения города Наманган",
            "Namangan City Employment Center",
        ),
        "short": ("Bandlik markazi", "Центр занятости", "Employment center"),
        "loc": ("Bandlik markazida", "в центре занятости", "at the employment center"),
    },
    {
        "code": NOTARY,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar 1-son davlat notarial idorasi",
            "Государственная нотариальная контора № 1 города Наманган",
            "Namangan City State Notary Office No. 1",
        ),
        "short": ("Notarius", "Нотариус", "Notary"),
        "loc": ("Notarial idorada", "в нотариальной конторе", "at the notary office"),
    },
    {
        "code": GAS,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "«Hududgaztaʼminot» AJ Namangan shahar gaz taʼminoti filiali",
            "Наманганский городской филиал газоснабжения АО «Худудгазтаъминот»",
            "Hududgaztaminot, Namangan City Gas Supply Branch",
        ),
        "short": ("Gaz taʼminoti", "Газоснабжение", "Gas utility"),
        "loc": ("Gaz taʼminoti filialida", "в филиале газоснабжения", "at the gas utility"),
    },
    {
        "code": POWER,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "«Hududiy elektr tarmoqlari» AJ Namangan shahar elektr tarmoqlari korxonasi",
            "Наманганское городское предприятие электрических сетей АО «Региональные электрические сети»",
            "Regional Electric Networks, Namangan City Power Grid",
        ),
        "short": ("Elektr tarmoqlari", "Электросети", "Power utility"),
        "loc": ("Elektr tarmoqlari korxonasida", "в предприятии электросетей", "at the power utility"),
    },
    {
        "code": WATER,
        "kind": "agency",
        "parent": CITY,
        "name": ("«Namangan suvtaʼminot» MChJ", "ООО «Наманган сувтаъминот»", "Namangan Water Supply"),
        "short": ("Suv taʼminoti", "Водоканал", "Water utility"),
        "loc": ("Suv taʼminoti korxonasida", "в водоканале", "at the water utility"),
    },
    {
        "code": LAND,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar yer resurslari va yer tuzish boʻlimi",
            "Отдел земельных ресурсов и землеустройства города Наманган",
            "Namangan City Land Resources Department",
        ),
        "short": ("Yer resurslari", "Земельные ресурсы", "Land resources"),
        "loc": ("Yer resurslari boʻlimida", "в отделе земельных ресурсов", "at the land resources department"),
    },
    {
        "code": MAHALLA,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Namangan shahar mahalla va oilani qoʻllab-quvvatlash boʻlimi",
            "Отдел поддержки махалли и семьи города Наманган",
            "Namangan City Mahalla and Family Support Department",
        ),
        "short": ("Mahalla va oila", "Махалля и семья", "Mahalla and family"),
        "loc": ("Mahalla va oila boʻlimida", "в отделе махалли и семьи", "at the mahalla and family department"),
    },
    {
        "code": SOCIAL,
        "kind": "agency",
        "parent": CITY,
        "name": (
            "Ijtimoiy himoya milliy agentligi Namangan shahar boʻlimi",
            "Отдел Национального агентства социальной защиты города Наманган",
            "National Social Protection Agency, Namangan City Office",
        ),
        "short": ("Ijtimoiy himoya", "Соцзащита", "Social protection"),
        "loc": ("Ijtimoiy himoya boʻlimida", "в отделе социальной защиты", "at the social protection office"),
    },
]

# Mon–Fri 09:00–18:00, Saturday 09:00–15:00 (DESIGN §5), Sunday closed.
OPENING_HOURS = [
    (0, "09:00", "18:00"),
    (1, "09:00", "18:00"),
    (2, "09:00", "18:00"),
    (3, "09:00", "18:00"),
    (4, "09:00", "18:00"),
    (5, "09:00", "15:00"),
]

# --- Catalog ---------------------------------------------------------------------------------
CATEGORIES = [
    {
        "code": "civil-registry",
        "icon": "users",
        "name": ("Fuqarolik holati dalolatnomalari (FHDYO)", "Акты гражданского состояния (ЗАГС)", "Civil registry"),
    },
    {
        "code": "passport",
        "icon": "id-card",
        "name": (
            "Pasport, roʻyxatga olish va migratsiya",
            "Паспорт, прописка и миграция",
            "Passports, residence registration and migration",
        ),
    },
    {
        "code": "property",
        "icon": "home",
        "name": ("Koʻchmas mulk va kadastr", "Недвижимость и кадастр", "Real estate and cadastre"),
    },
    {
        "code": "construction",
        "icon": "building",
        "name": ("Qurilish va arxitektura", "Строительство и архитектура", "Construction and architecture"),
    },
    {
        "code": "business",
        "icon": "briefcase",
        "name": ("Tadbirkorlik va litsenziyalar", "Предпринимательство и лицензии", "Business and licences"),
    },
    {
        "code": "transport",
        "icon": "car",
        "name": ("Transport va haydovchilar", "Транспорт и водители", "Vehicles and drivers"),
    },
    {
        "code": "social",
        "icon": "heart",
        "name": ("Ijtimoiy himoya va pensiyalar", "Социальная защита и пенсии", "Social protection and pensions"),
    },
    {
        "code": "education",
        "icon": "child",
        "name": ("Maktabgacha taʼlim", "Дошкольное образование", "Preschool education"),
    },
    {"code": "utilities", "icon": "bolt", "name": ("Kommunal xizmatlar", "Коммунальные услуги", "Utilities")},
    {"code": "land", "icon": "map", "name": ("Yer munosabatlari", "Земельные отношения", "Land")},
    {
        "code": "justice",
        "icon": "scale",
        "name": ("Adliya, notariat va arxiv", "Юстиция, нотариат и архив", "Justice, notary and archives"),
    },
]

DISABILITY = "disability-1-2"
DISCOUNTS = [
    {
        "code": DISABILITY,
        "percent": "50",
        "name": (
            "I va II guruh nogironligi boʻlgan shaxslar",
            "Лица с инвалидностью I и II группы",
            "Persons with group I or II disability",
        ),
    },
]

# Step kinds: the step's name and the status line citizens see while it runs. `{loc}` is where
# the step happens and `{short}` the agency's short name (see the agencies above).
STEP_KINDS = {
    "review": {
        "name": ("Hujjatlarni koʻrib chiqish", "Рассмотрение документов", "Review of the documents"),
        "label": ("{loc} koʻrib chiqilmoqda", "Рассматривается {loc}", "Under review {loc}"),
    },
    "check": {
        "name": ("Maʼlumotlarni tekshirish", "Проверка сведений", "Verification of the data"),
        "label": ("{loc} maʼlumotlar tekshirilmoqda", "Проверка сведений {loc}", "Data being verified {loc}"),
    },
    "inspect": {
        "name": ("Joyida oʻrganish", "Выездное обследование", "On-site inspection"),
        "label": ("Joyida oʻrganilmoqda ({short})", "Выездное обследование ({short})", "On-site inspection ({short})"),
    },
    "approve": {
        "name": ("Kelishuv xulosasini berish", "Заключение о согласовании", "Approval opinion"),
        "label": ("{loc} kelishilmoqda", "Согласовывается {loc}", "Awaiting approval {loc}"),
    },
    "tech": {
        "name": ("Texnik shartlarni tayyorlash", "Подготовка технических условий", "Preparing technical conditions"),
        "label": (
            "Texnik shartlar tayyorlanmoqda ({short})",
            "Готовятся технические условия ({short})",
            "Technical conditions being prepared ({short})",
        ),
    },
    "register": {
        "name": ("Davlat roʻyxatidan oʻtkazish", "Государственная регистрация", "State registration"),
        "label": ("{loc} roʻyxatdan oʻtkazilmoqda", "Регистрация {loc}", "Being registered {loc}"),
    },
    "decide": {
        "role": "agency_head",
        "name": ("Qaror qabul qilish", "Принятие решения", "Decision"),
        "label": ("{loc} qaror qabul qilinmoqda", "Принимается решение {loc}", "Decision pending {loc}"),
    },
    "issue": {
        "name": ("Natijani rasmiylashtirish", "Оформление результата", "Preparing the result"),
        "label": (
            "Natija tayyorlanmoqda ({short})",
            "Результат оформляется ({short})",
            "Result being prepared ({short})",
        ),
    },
}

# Documents many services ask for. A service lists them by key, with overrides where needed,
# or spells a document out. `by_center`: the center requests it from the agency that holds it
# (once-only principle); the citizen does not bring it.
DOCUMENTS = {
    "passport": {
        "name": (
            "Shaxsni tasdiqlovchi hujjat (pasport yoki ID-karta)",
            "Документ, удостоверяющий личность (паспорт или ID-карта)",
            "Identity document (passport or ID card)",
        ),
        "original": True,
    },
    "proxy": {
        "name": (
            "Ishonchnoma (vakil murojaat qilganda)",
            "Доверенность (при обращении представителя)",
            "Power of attorney (if a representative applies)",
        ),
        "original": True,
        "mandatory": False,
    },
    "title": {
        "name": (
            "Koʻchmas mulkka boʻlgan huquqni tasdiqlovchi hujjat",
            "Документ, подтверждающий право на недвижимость",
            "Document confirming the right to the property",
        ),
        "by_center": True,
    },
    "cadastre-passport": {
        "name": (
            "Koʻchmas mulk obyektining kadastr pasporti",
            "Кадастровый паспорт объекта недвижимости",
            "Cadastre passport of the property",
        ),
        "by_center": True,
    },
    "land-title": {
        "name": (
            "Yer uchastkasiga boʻlgan huquqni tasdiqlovchi hujjat",
            "Документ, подтверждающий право на земельный участок",
            "Document confirming the right to the land plot",
        ),
        "by_center": True,
    },
    "birth-certificate": {
        "name": ("Tugʻilganlik haqida guvohnoma", "Свидетельство о рождении", "Birth certificate"),
        "by_center": True,
    },
    "marriage-certificate": {
        "name": ("Nikoh haqida guvohnoma", "Свидетельство о заключении брака", "Marriage certificate"),
        "by_center": True,
    },
    "company-certificate": {
        "name": (
            "Yuridik shaxsning davlat roʻyxatidan oʻtganlik guvohnomasi",
            "Свидетельство о государственной регистрации юридического лица",
            "Certificate of state registration of the legal entity",
        ),
        "by_center": True,
    },
    "project": {
        "name": (
            "Loyiha hujjatlari (eskiz loyiha)",
            "Проектная документация (эскизный проект)",
            "Design documents (outline design)",
        ),
        "original": True,
        "copies": 1,
    },
    "apz": {
        "name": (
            "Arxitektura-rejalashtirish topshirigʻi (APT)",
            "Архитектурно-планировочное задание (АПЗ)",
            "Architectural planning assignment (APZ)",
        ),
        "by_center": True,
    },
    "tech-conditions": {
        "name": (
            "Muhandislik tarmoqlariga ulanish texnik shartlari",
            "Технические условия на подключение к инженерным сетям",
            "Technical conditions for connection to the utilities",
        ),
        "by_center": True,
    },
    "site-plan": {
        "name": ("Obyektning joylashish sxemasi", "Ситуационная схема расположения объекта", "Site location plan"),
        "original": True,
    },
    "premises": {
        "name": (
            "Binoga boʻlgan huquq hujjati yoki ijara shartnomasi",
            "Документ о праве на помещение или договор аренды",
            "Title to the premises or the lease",
        ),
        "original": True,
        "copies": 1,
    },
    "employment-record": {
        "name": (
            "Mehnat daftarchasi yoki elektron mehnat daftaridan koʻchirma",
            "Трудовая книжка или выписка из электронной трудовой книжки",
            "Employment record book or an extract from the electronic record",
        ),
        "by_center": True,
    },
    "income": {
        "name": (
            "Oila aʼzolarining daromadlari haqida maʼlumotlar",
            "Сведения о доходах членов семьи",
            "Income of the family members",
        ),
        "by_center": True,
    },
    "medical-083": {
        "name": (
            "Tibbiy maʼlumotnoma (083-shakl)",
            "Медицинская справка (форма 083)",
            "Medical certificate (form 083)",
        ),
        "original": True,
    },
    "vehicle-certificate": {
        "name": (
            "Transport vositasini qayd etish guvohnomasi (texpasport)",
            "Свидетельство о регистрации транспортного средства (техпаспорт)",
            "Vehicle registration certificate",
        ),
        "original": True,
    },
    "photo": {
        "name": ("Fotosurat, 3×4 sm", "Фотография 3×4 см", "Photograph, 3×4 cm"),
        "copies": 2,
    },
}

# A step is (kind, agency, term in working days) or a dict with `role`/`name`/`clock_stops`
# overrides; a list of steps is one stage run in parallel, and the step after it is their join.
# Every step gets "approve", "reject" and "request_documents" transitions (see the loader).
SERVICES = [
    # --- civil registry ---
    {
        "code": "birth-registration",
        "category": "civil-registry",
        "agency": FHDYO,
        "name": (
            "Bola tugʻilishini davlat roʻyxatidan oʻtkazish",
            "Государственная регистрация рождения ребёнка",
            "Birth registration",
        ),
        "description": (
            "Bola tugʻilganini qayd etish va tugʻilganlik haqida guvohnoma berish. Ota-onadan biri murojaat qiladi.",
            "Регистрация рождения ребёнка и выдача свидетельства о рождении. Обращается один из родителей.",
            "Registration of a child's birth and issue of the birth certificate. One of the parents applies.",
        ),
        "result": ("Tugʻilganlik haqida guvohnoma", "Свидетельство о рождении", "Birth certificate"),
        "keywords": "tugilganlik metrika метрика свидетельство о рождении birth certificate ЗАГС zags FHDYO",
        "fee": ("free", 0),
        "term": 1,
        "online": True,
        "documents": [
            {
                "name": (
                    "Tugʻruqxonaning tugʻilish haqidagi tibbiy maʼlumotnomasi",
                    "Медицинская справка родильного дома о рождении",
                    "Medical certificate of birth from the maternity hospital",
                ),
                "original": True,
            },
            (
                "passport",
                {
                    "name": (
                        "Ota-onaning shaxsini tasdiqlovchi hujjatlari",
                        "Документы, удостоверяющие личность родителей",
                        "Identity documents of the parents",
                    )
                },
            ),
            ("marriage-certificate", {"mandatory": False}),
        ],
        "steps": [("register", FHDYO, 1)],
    },
    {
        "code": "marriage-registration",
        "category": "civil-registry",
        "agency": FHDYO,
        "name": ("Nikohni davlat roʻyxatidan oʻtkazish", "Государственная регистрация брака", "Marriage registration"),
        "description": (
            "Nikohlanuvchilarning birgalikdagi arizasiga koʻra nikohni qayd etish. Nikoh ariza berilganidan bir oy "
            "oʻtgach tuziladi; nikohdan oldin tibbiy koʻrikdan oʻtish shart.",
            "Регистрация брака по совместному заявлению вступающих в брак. Брак заключается через месяц после "
            "подачи заявления; обязательно добрачное медицинское обследование.",
            "Registration of a marriage on the couple's joint application. The marriage is concluded a month after "
            "the application; a premarital medical examination is required.",
        ),
        "result": ("Nikoh haqida guvohnoma", "Свидетельство о заключении брака", "Marriage certificate"),
        "keywords": "nikoh никох брак свадьба toy marriage wedding ЗАГС zags FHDYO",
        "fee": ("brv_multiple", "1"),
        "term": 22,
        "online": True,
        "discounts": [DISABILITY],
        "documents": [
            (
                "passport",
                {
                    "name": (
                        "Nikohlanuvchilarning shaxsini tasdiqlovchi hujjatlari",
                        "Документы, удостоверяющие личность вступающих в брак",
                        "Identity documents of both partners",
                    )
                },
            ),
            {
                "name": (
                    "Nikohdan oldingi tibbiy koʻrik xulosasi",
                    "Заключение добрачного медицинского обследования",
                    "Premarital medical examination report",
                ),
                "original": True,
            },
            {
                "name": (
                    "Oldingi nikoh bekor qilinganligi haqida guvohnoma (agar boʻlsa)",
                    "Свидетельство о расторжении предыдущего брака (если был)",
                    "Certificate of divorce from a previous marriage (if any)",
                ),
                "by_center": True,
                "mandatory": False,
            },
        ],
        "steps": [("review", FHDYO, 2), ("register", FHDYO, 20)],
    },
    {
        "code": "divorce-registration",
        "category": "civil-registry",
        "agency": FHDYO,
        "name": (
            "Nikohdan ajralishni davlat roʻyxatidan oʻtkazish (oʻzaro rozilik bilan)",
            "Государственная регистрация расторжения брака (по взаимному согласию)",
            "Divorce registration (by mutual consent)",
        ),
        "description": (
            "Voyaga yetmagan umumiy farzandlari boʻlmagan er-xotinning oʻzaro roziligi bilan nikohni bekor qilish.",
            "Расторжение брака по взаимному согласию супругов, не имеющих общих несовершеннолетних детей.",
            "Dissolution of a marriage by mutual consent of spouses who have no common minor children.",
        ),
        "result": ("Nikohdan ajralganlik haqida guvohnoma", "Свидетельство о расторжении брака", "Divorce certificate"),
        "keywords": "razvod развод ajrashish taloq талок divorce ЗАГС zags FHDYO",
        "fee": ("brv_multiple", "2"),
        "term": 22,
        "discounts": [DISABILITY],
        "documents": ["passport", "marriage-certificate"],
        "steps": [("review", FHDYO, 2), ("register", FHDYO, 20)],
    },
    {
        "code": "death-registration",
        "category": "civil-registry",
        "agency": FHDYO,
        "name": ("Oʻlimni davlat roʻyxatidan oʻtkazish", "Государственная регистрация смерти", "Death registration"),
        "description": (
            "Vafot etgan shaxsning oʻlimini qayd etish va oʻlim haqida guvohnoma berish.",
            "Регистрация смерти и выдача свидетельства о смерти.",
            "Registration of a death and issue of the death certificate.",
        ),
        "result": ("Oʻlim haqida guvohnoma", "Свидетельство о смерти", "Death certificate"),
        "keywords": "vafot smert смерть death certificate ЗАГС zags FHDYO",
        "fee": ("free", 0),
        "term": 1,
        "documents": [
            {
                "name": (
                    "Oʻlim haqida tibbiy maʼlumotnoma",
                    "Медицинское свидетельство о смерти",
                    "Medical certificate of death",
                ),
                "original": True,
            },
            {
                "name": (
                    "Marhumning shaxsini tasdiqlovchi hujjati",
                    "Документ, удостоверяющий личность умершего",
                    "Identity document of the deceased",
                ),
                "original": True,
            },
            (
                "passport",
                {
                    "name": (
                        "Arizachining shaxsini tasdiqlovchi hujjati",
                        "Документ, удостоверяющий личность заявителя",
                        "Identity document of the applicant",
                    )
                },
            ),
        ],
        "steps": [("register", FHDYO, 1)],
    },
    {
        "code": "name-change",
        "category": "civil-registry",
        "agency": FHDYO,
        "name": (
            "Familiya, ism va ota ismini oʻzgartirish",
            "Перемена фамилии, имени и отчества",
            "Change of surname, first name or patronymic",
        ),
        "description": (
            "16 yoshga toʻlgan fuqaroning arizasiga koʻra familiya, ism yoki ota ismini oʻzgartirish va "
            "dalolatnoma yozuvlariga oʻzgartish kiritish.",
            "Перемена фамилии, имени или отчества гражданина, достигшего 16 лет, с внесением изменений в записи "
            "актов гражданского состояния.",
            "Change of the surname, first name or patronymic of a citizen aged 16 or over, with the civil records "
            "amended.",
        ),
        "result": (
            "Ism oʻzgartirilganligi haqida guvohnoma",
            "Свидетельство о перемене имени",
            "Certificate of change of name",
        ),
        "keywords": "familiya ozgartirish смена фамилии перемена имени name change surname FHDYO ЗАГС",
        "fee": ("brv_multiple", "1"),
        "term": 30,
        "discounts": [DISABILITY],
        "documents": ["passport", "birth-certificate", ("marriage-certificate", {"mandatory": False})],
        "steps": [("review", FHDYO, 5), ("check", MIGRATION, 10), ("decide", FHDYO, 10)],
    },
    {
        "code": "civil-record-duplicate",
        "category": "civil-registry",
        "agency": FHDYO,
        "name": (
            "Takroriy FHDYO guvohnomasini berish",
            "Выдача повторного свидетельства ЗАГС",
            "Duplicate civil registry certificate",
        ),
        "description": (
            "Yoʻqolgan yoki yaroqsiz holga kelgan tugʻilganlik, nikoh va boshqa FHDYO guvohnomalari oʻrniga "
            "takroriy guvohnoma berish.",
            "Выдача повторного свидетельства о рождении, браке и других актах взамен утерянного или испорченного.",
            "A duplicate birth, marriage or other civil registry certificate in place of a lost or damaged one.",
        ),
        "result": ("Takroriy guvohnoma", "Повторное свидетельство", "Duplicate certificate"),
        "keywords": "dublikat дубликат повторное свидетельство takroriy nusxa duplicate copy metrika метрика",
        "fee": ("brv_percent", "20"),
        "term": 3,
        "online": True,
        "documents": [
            "passport",
            {
                "name": (
                    "Yaroqsiz holga kelgan guvohnoma (agar boʻlsa)",
                    "Испорченное свидетельство (при наличии)",
                    "The damaged certificate (if any)",
                ),
                "original": True,
                "mandatory": False,
            },
        ],
        "steps": [("check", FHDYO, 2), ("issue", FHDYO, 1)],
    },
    # --- passports and residence registration ---
    {
        "code": "id-card",
        "category": "passport",
        "agency": MIGRATION,
        "name": ("ID-kartani rasmiylashtirish va berish", "Оформление и выдача ID-карты", "ID card issuance"),
        "description": (
            "Oʻzbekiston Respublikasi fuqarosining biometrik identifikatsiya kartasini (ID-karta) birinchi marta "
            "olish yoki almashtirish. Barmoq izlari va surat markazda olinadi.",
            "Первичное получение или замена биометрической ID-карты гражданина Республики Узбекистан. Отпечатки "
            "пальцев и фотография снимаются в центре.",
            "First issue or replacement of the biometric identity card (ID card) of a citizen of Uzbekistan. "
            "Fingerprints and the photo are taken at the center.",
        ),
        "result": ("ID-karta", "ID-карта", "ID card"),
        "keywords": "pasport паспорт passport id karta айди карта shaxsiy guvohnoma identity card biometrik",
        "fee": ("brv_percent", "40"),
        "term": 10,
        "discounts": [DISABILITY],
        "documents": [
            "birth-certificate",
            {
                "name": (
                    "Amaldagi pasport yoki ID-karta (almashtirishda)",
                    "Действующий паспорт или ID-карта (при замене)",
                    "Current passport or ID card (on replacement)",
                ),
                "original": True,
                "mandatory": False,
            },
        ],
        "steps": [("check", MIGRATION, 3), ("issue", MIGRATION, 7)],
    },
    {
        "code": "travel-passport",
        "category": "passport",
        "agency": MIGRATION,
        "name": (
            "Xorijga chiqish biometrik pasportini rasmiylashtirish",
            "Оформление биометрического паспорта для выезда за рубеж",
            "Biometric passport for travel abroad",
        ),
        "description": (
            "ID-kartasi bor fuqarolarga chet davlatlarga chiqish uchun biometrik pasport berish.",
            "Выдача биометрического паспорта для выезда за границу гражданам, имеющим ID-карту.",
            "Issue of a biometric passport for travel abroad to citizens holding an ID card.",
        ),
        "result": (
            "Xorijga chiqish biometrik pasporti",
            "Биометрический паспорт для выезда за рубеж",
            "Biometric travel passport",
        ),
        "keywords": "zagranpasport загранпаспорт загран xorijiy pasport паспорт passport travel abroad chet el",
        "fee": ("brv_multiple", "1"),
        "term": 10,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            {
                "name": (
                    "Harbiy hisobda turganlik haqida hujjat (chaqiruv yoshidagi erkaklar uchun)",
                    "Документ о воинском учёте (для мужчин призывного возраста)",
                    "Military registration document (men of conscription age)",
                ),
                "by_center": True,
                "mandatory": False,
            },
        ],
        "steps": [("check", MIGRATION, 3), ("issue", MIGRATION, 7)],
    },
    {
        "code": "permanent-registration",
        "category": "passport",
        "agency": MIGRATION,
        "name": (
            "Doimiy yashash joyi boʻyicha roʻyxatga qoʻyish (propiska)",
            "Постоянная регистрация по месту жительства (прописка)",
            "Permanent registration at the place of residence (propiska)",
        ),
        "description": (
            "Fuqaroni yangi yashash joyi boʻyicha doimiy roʻyxatga qoʻyish. Uy-joy mulkdorining roziligi talab "
            "etiladi; oldingi manzildan roʻyxatdan chiqarish avtomatik amalga oshiriladi.",
            "Постоянная регистрация гражданина по новому месту жительства. Требуется согласие собственника жилья; "
            "снятие с учёта по прежнему адресу производится автоматически.",
            "Permanent registration of a citizen at a new address. The owner's consent is required; deregistration "
            "from the previous address is automatic.",
        ),
        "result": (
            "Doimiy roʻyxatga qoʻyilganlik haqida maʼlumotnoma",
            "Справка о постоянной регистрации",
            "Certificate of permanent registration",
        ),
        "keywords": "propiska прописка registratsiya регистрация по месту жительства doimiy royxat residence "
        "registration address change manzil adres адрес смена адреса",
        "fee": ("brv_percent", "20"),
        "term": 3,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            "title",
            {
                "name": ("Uy-joy mulkdorining roziligi", "Согласие собственника жилья", "Consent of the home owner"),
                "original": True,
            },
        ],
        "steps": [("check", MAHALLA, 1), ("register", MIGRATION, 2)],
    },
    {
        "code": "temporary-registration",
        "category": "passport",
        "agency": MIGRATION,
        "name": (
            "Vaqtincha yashash joyi boʻyicha roʻyxatga qoʻyish",
            "Временная регистрация по месту пребывания",
            "Temporary registration at the place of stay",
        ),
        "description": (
            "Boshqa hududdan kelgan fuqaroni vaqtincha yashash joyi boʻyicha bir yilgacha roʻyxatga qoʻyish.",
            "Временная регистрация граждан, прибывших из другого региона, по месту пребывания сроком до года.",
            "Temporary registration, for up to a year, of citizens arriving from another region.",
        ),
        "result": (
            "Vaqtincha roʻyxatga qoʻyilganlik haqida maʼlumotnoma",
            "Справка о временной регистрации",
            "Certificate of temporary registration",
        ),
        "keywords": "vremennaya propiska временная прописка регистрация vaqtincha registratsiya temporary registration",
        "fee": ("free", 0),
        "term": 1,
        "online": True,
        "documents": [
            "passport",
            {
                "name": ("Uy-joy mulkdorining roziligi", "Согласие собственника жилья", "Consent of the home owner"),
                "original": True,
            },
        ],
        "steps": [("register", MIGRATION, 1)],
    },
    {
        "code": "deregistration",
        "category": "passport",
        "agency": MIGRATION,
        "name": (
            "Yashash joyi boʻyicha roʻyxatdan chiqarish",
            "Снятие с регистрационного учёта по месту жительства",
            "Deregistration from the place of residence",
        ),
        "description": (
            "Boshqa davlatga doimiy yashashga ketayotgan yoki uy-joyni sotgan fuqaroni roʻyxatdan chiqarish.",
            "Снятие с учёта гражданина, выезжающего на ПМЖ за рубеж или продавшего жильё.",
            "Deregistration of a citizen moving abroad for good or who has sold the home.",
        ),
        "result": (
            "Roʻyxatdan chiqarilganlik haqida maʼlumotnoma",
            "Справка о снятии с учёта",
            "Certificate of deregistration",
        ),
        "keywords": "vipiska выписка снятие с учёта прописка propiska royxatdan chiqish deregistration",
        "fee": ("free", 0),
        "term": 1,
        "documents": ["passport"],
        "steps": [("review", MIGRATION, 1)],
    },
    # --- real estate and cadastre ---
    {
        "code": "cadastre-passport",
        "category": "property",
        "agency": CADASTRE,
        "name": (
            "Koʻchmas mulk obyektining kadastr pasportini berish",
            "Выдача кадастрового паспорта объекта недвижимости",
            "Cadastre passport of real estate",
        ),
        "description": (
            "Uy, kvartira yoki boshqa koʻchmas mulk obyektini oʻlchash va uning kadastr pasportini (texnik "
            "pasport) tayyorlash.",
            "Обмер дома, квартиры или иного объекта недвижимости и подготовка его кадастрового (технического) "
            "паспорта.",
            "Measuring a house, flat or other property and preparing its cadastre (technical) passport.",
        ),
        "result": ("Kadastr pasporti", "Кадастровый паспорт", "Cadastre passport"),
        "keywords": "kadastr кадастр cadastre cadastral texpasport техпаспорт технический паспорт BTI БТИ "
        "кадастровый паспорт недвижимость kochmas mulk",
        "fee": ("brv_multiple", "0.5"),
        "term": 5,
        "online": True,
        "legal": True,
        "discounts": [DISABILITY],
        "documents": ["passport", "title", "proxy"],
        "steps": [("inspect", CADASTRE, 3), ("issue", CADASTRE, 2)],
    },
    {
        "code": "property-rights-registration",
        "category": "property",
        "agency": CADASTRE,
        "name": (
            "Koʻchmas mulkka boʻlgan huquqlarni davlat roʻyxatidan oʻtkazish",
            "Государственная регистрация прав на недвижимое имущество",
            "Registration of real estate rights",
        ),
        "description": (
            "Oldi-sotdi, hadya, meros yoki boshqa asosda olingan koʻchmas mulkka boʻlgan huquqni davlat "
            "reyestrida qayd etish.",
            "Регистрация в государственном реестре права на недвижимость, приобретённую по купле-продаже, "
            "дарению, наследству или иному основанию.",
            "Registration in the state register of a right to real estate acquired by sale, gift, inheritance or "
            "otherwise.",
        ),
        "result": (
            "Koʻchmas mulk reyestridan koʻchirma",
            "Выписка из реестра недвижимости",
            "Extract from the real estate register",
        ),
        "keywords": "kadastr кадастр cadastre registratsiya регистрация права собственности mulk huquqi "
        "oldi-sotdi купля-продажа дарение hadya meros property ownership rights",
        "fee": ("brv_multiple", "1"),
        "term": 5,
        "legal": True,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            {
                "name": (
                    "Huquq belgilovchi hujjat (notarial shartnoma, meros guvohnomasi va h.k.)",
                    "Правоустанавливающий документ (нотариальный договор, свидетельство о наследстве и т. п.)",
                    "Title document (notarised contract, certificate of inheritance, etc.)",
                ),
                "original": True,
            },
            "cadastre-passport",
        ],
        "steps": [("check", CADASTRE, 2), {"kind": "register", "agency": CADASTRE, "days": 3, "role": "agency_head"}],
    },
    {
        "code": "cadastre-extract",
        "category": "property",
        "agency": CADASTRE,
        "name": (
            "Koʻchmas mulk davlat reyestridan koʻchirma berish",
            "Выдача выписки из государственного реестра недвижимости",
            "Extract from the state real estate register",
        ),
        "description": (
            "Koʻchmas mulk obyekti, uning egasi va cheklovlar (taqiq, garov) haqidagi maʼlumotlar koʻchirmasi.",
            "Выписка со сведениями об объекте недвижимости, его правообладателе и обременениях (запрет, залог).",
            "Extract showing a property, its owner and any encumbrances (bans, pledges).",
        ),
        "result": ("Reyestrdan koʻchirma", "Выписка из реестра", "Register extract"),
        "keywords": "kadastr кадастр cadastre vipiska выписка spravka справка taqiq запрет garov залог extract",
        "fee": ("brv_percent", "20"),
        "term": 1,
        "online": True,
        "legal": True,
        "documents": ["passport", "proxy"],
        "steps": [("issue", CADASTRE, 1)],
    },
    {
        "code": "mortgage-registration",
        "category": "property",
        "agency": CADASTRE,
        "name": (
            "Ipotekani (koʻchmas mulk garovini) davlat roʻyxatidan oʻtkazish",
            "Государственная регистрация ипотеки (залога недвижимости)",
            "Mortgage registration",
        ),
        "description": (
            "Bank krediti taʼminoti sifatida koʻchmas mulk garovini qayd etish yoki garovdan chiqarish.",
            "Регистрация залога недвижимости в обеспечение банковского кредита или снятие залога.",
            "Registration of a pledge of real estate securing a bank loan, or its release.",
        ),
        "result": (
            "Ipoteka qayd etilganligi haqida koʻchirma",
            "Выписка о регистрации ипотеки",
            "Extract confirming the mortgage",
        ),
        "keywords": "ipoteka ипотека zalog залог garov mortgage kredit кредит bank банк kadastr кадастр",
        "fee": ("brv_multiple", "1"),
        "term": 3,
        "legal": True,
        "documents": [
            "passport",
            {"name": ("Ipoteka shartnomasi", "Договор ипотеки", "Mortgage agreement"), "original": True, "copies": 1},
            "title",
        ],
        "steps": [("check", CADASTRE, 1), ("register", CADASTRE, 2)],
    },
    {
        "code": "premises-conversion",
        "category": "property",
        "agency": ARCHITECTURE,
        "name": (
            "Turar joyni noturar joy toifasiga oʻtkazish",
            "Перевод жилого помещения в нежилое",
            "Conversion of residential premises to non-residential use",
        ),
        "description": (
            "Kvartira yoki uyni doʻkon, ofis kabi noturar maqsadlarda foydalanish uchun noturar joy toifasiga "
            "oʻtkazish. Yongʻin xavfsizligi, SES va elektr tarmoqlari bilan parallel kelishiladi.",
            "Перевод квартиры или дома в нежилой фонд для магазина, офиса и т. п. Согласования пожарной "
            "безопасности, СЭС и электросетей проводятся параллельно.",
            "Conversion of a flat or house to non-residential use (shop, office, etc.). Fire safety, the SES and "
            "the power utility approve in parallel.",
        ),
        "result": (
            "Noturar joy toifasiga oʻtkazish toʻgʻrisidagi qaror",
            "Решение о переводе в нежилой фонд",
            "Decision on conversion to non-residential use",
        ),
        "keywords": "perevod v nejiloy перевод в нежилое нежилой фонд noturar ofis офис магазин dokon conversion",
        "fee": ("brv_multiple", "2"),
        "term": 30,
        "legal": True,
        "documents": [
            "passport",
            "title",
            "cadastre-passport",
            "project",
            {
                "name": (
                    "Qoʻshnilarning yozma roziligi",
                    "Письменное согласие соседей",
                    "Written consent of the neighbours",
                ),
                "original": True,
            },
        ],
        "steps": [
            ("review", ARCHITECTURE, 3),
            [("approve", FIRE, 7), ("approve", SES, 7), ("approve", POWER, 7)],
            ("decide", ARCHITECTURE, 5),
        ],
    },
    # --- construction and architecture ---
    {
        "code": "building-permit",
        "category": "construction",
        "agency": CONSTRUCTION,
        "name": ("Qurilishga ruxsatnoma berish", "Выдача разрешения на строительство", "Building permit"),
        "description": (
            "Yangi bino yoki inshoot qurishga ruxsatnoma. Loyiha arxitektura boʻlimi, yongʻin xavfsizligi, SES "
            "va gaz taʼminoti bilan bir vaqtda (parallel) kelishiladi.",
            "Разрешение на строительство нового здания или сооружения. Проект согласуется параллельно с отделом "
            "архитектуры, пожарной безопасностью, СЭС и газоснабжением.",
            "Permit to build a new building or structure. The design is approved in parallel by the architecture "
            "department, fire safety, the SES and the gas utility.",
        ),
        "result": ("Qurilishga ruxsatnoma", "Разрешение на строительство", "Building permit"),
        "keywords": "ruxsatnoma razreshenie разрешение на строительство qurilish stroitelstvo строительство "
        "construction permit building arxitektura архитектура",
        "fee": ("brv_multiple", "1"),
        "term": 15,
        "online": True,
        "legal": True,
        "discounts": [DISABILITY],
        "documents": ["passport", "land-title", "apz", "project", "tech-conditions"],
        "steps": [
            ("review", CONSTRUCTION, 2),
            [("approve", ARCHITECTURE, 5), ("approve", FIRE, 5), ("approve", SES, 5), ("approve", GAS, 5)],
            ("decide", CONSTRUCTION, 3),
        ],
    },
    {
        "code": "reconstruction-permit",
        "category": "construction",
        "agency": CONSTRUCTION,
        "name": (
            "Binoni rekonstruksiya qilishga ruxsatnoma berish",
            "Выдача разрешения на реконструкцию здания",
            "Reconstruction permit",
        ),
        "description": (
            "Mavjud binoni kengaytirish, qavat qoʻshish yoki konstruksiyasini oʻzgartirishga ruxsatnoma. "
            "Arxitektura, yongʻin xavfsizligi va SES xulosalari parallel olinadi.",
            "Разрешение на расширение, надстройку или изменение конструкций существующего здания. Заключения "
            "архитектуры, пожарной безопасности и СЭС получаются параллельно.",
            "Permit to extend, add storeys to or alter the structure of an existing building. The architecture "
            "department, fire safety and the SES give their opinions in parallel.",
        ),
        "result": ("Rekonstruksiyaga ruxsatnoma", "Разрешение на реконструкцию", "Reconstruction permit"),
        "keywords": "rekonstruksiya реконструкция rekonstruktsiya pristroyka пристройка надстройка "
        "reconstruction extension ruxsatnoma разрешение",
        "fee": ("brv_multiple", "1"),
        "term": 15,
        "legal": True,
        "discounts": [DISABILITY],
        "documents": ["passport", "title", "cadastre-passport", "project"],
        "steps": [
            ("review", CONSTRUCTION, 2),
            [("approve", ARCHITECTURE, 5), ("approve", FIRE, 5), ("approve", SES, 5)],
            ("decide", CONSTRUCTION, 3),
        ],
    },
    {
        "code": "planning-assignment",
        "category": "construction",
        "agency": ARCHITECTURE,
        "name": (
            "Arxitektura-rejalashtirish topshirigʻini (APT) berish",
            "Выдача архитектурно-планировочного задания (АПЗ)",
            "Architectural planning assignment (APZ)",
        ),
        "description": (
            "Loyihalash uchun boshlangʻich hujjat: obyektni joylashtirish talablari va muhandislik tarmoqlariga "
            "ulanish texnik shartlari. Gaz, elektr va suv taʼminoti texnik shartlari parallel tayyorlanadi.",
            "Исходный документ для проектирования: требования к размещению объекта и технические условия "
            "подключения к сетям. Условия газо-, электро- и водоснабжения готовятся параллельно.",
            "The starting document for design: siting requirements and technical conditions for connection to "
            "the utilities. The gas, power and water conditions are prepared in parallel.",
        ),
        "result": (
            "Arxitektura-rejalashtirish topshirigʻi",
            "Архитектурно-планировочное задание",
            "Architectural planning assignment",
        ),
        "keywords": "APZ АПЗ APT АПТ arxitektura архитектура планировочное задание topshiriq texnik shartlar "
        "технические условия architecture planning",
        "fee": ("brv_percent", "50"),
        "term": 20,
        "legal": True,
        "documents": ["passport", "land-title", "site-plan"],
        "steps": [
            ("review", ARCHITECTURE, 3),
            [("tech", GAS, 7), ("tech", POWER, 7), ("tech", WATER, 7)],
            ("issue", ARCHITECTURE, 5),
        ],
    },
    {
        "code": "building-commissioning",
        "category": "construction",
        "agency": CONSTRUCTION,
        "name": (
            "Qurilishi tugallangan obyektni foydalanishga qabul qilish",
            "Приёмка в эксплуатацию завершённого строительством объекта",
            "Commissioning of a finished building",
        ),
        "description": (
            "Qurilish tugagach obyektni foydalanishga qabul qilish dalolatnomasini rasmiylashtirish. Arxitektura "
            "boʻlimi, yongʻin xavfsizligi va SES obyektni parallel koʻzdan kechiradi.",
            "Оформление акта приёмки объекта в эксплуатацию после завершения строительства. Отдел архитектуры, "
            "пожарная безопасность и СЭС осматривают объект параллельно.",
            "The acceptance certificate for a building once construction is finished. The architecture "
            "department, fire safety and the SES inspect it in parallel.",
        ),
        "result": (
            "Foydalanishga qabul qilish dalolatnomasi",
            "Акт приёмки в эксплуатацию",
            "Commissioning certificate",
        ),
        "keywords": "priyomka приёмка приемка в эксплуатацию ekspluatatsiya foydalanishga topshirish commissioning "
        "acceptance",
        "fee": ("brv_multiple", "1"),
        "term": 15,
        "legal": True,
        "documents": [
            "passport",
            {"name": ("Qurilishga ruxsatnoma", "Разрешение на строительство", "Building permit"), "by_center": True},
            {"name": ("Ijro hujjatlari", "Исполнительная документация", "As-built documents"), "original": True},
        ],
        "steps": [
            ("review", CONSTRUCTION, 2),
            [("inspect", ARCHITECTURE, 5), ("inspect", FIRE, 5), ("inspect", SES, 5)],
            ("decide", CONSTRUCTION, 3),
        ],
    },
    {
        "code": "flat-redevelopment",
        "category": "construction",
        "agency": ARCHITECTURE,
        "name": (
            "Kvartirani qayta rejalashtirishni kelishish",
            "Согласование перепланировки квартиры",
            "Approval of flat redevelopment",
        ),
        "description": (
            "Koʻp qavatli uydagi kvartira xonalari va ichki devorlarini qayta rejalashtirishni kelishish.",
            "Согласование перепланировки квартиры в многоквартирном доме (перенос перегородок, объединение комнат).",
            "Approval of the redevelopment of a flat in an apartment building (moving partitions, joining rooms).",
        ),
        "result": ("Qayta rejalashtirishga ruxsat", "Разрешение на перепланировку", "Redevelopment approval"),
        "keywords": "pereplanirovka перепланировка qayta rejalashtirish remont ремонт redevelopment remodelling",
        "fee": ("brv_multiple", "0.5"),
        "term": 10,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            "title",
            {
                "name": ("Qayta rejalashtirish loyihasi", "Проект перепланировки", "Redevelopment design"),
                "original": True,
            },
            {
                "name": (
                    "Uy-joy mulkdorlari shirkatining roziligi",
                    "Согласие товарищества собственников жилья",
                    "Consent of the homeowners' association",
                ),
                "original": True,
            },
        ],
        "steps": [("review", ARCHITECTURE, 5), ("decide", ARCHITECTURE, 3)],
    },
    {
        "code": "address-assignment",
        "category": "construction",
        "agency": ARCHITECTURE,
        "name": (
            "Koʻchmas mulk obyektiga manzil berish yoki manzilni oʻzgartirish",
            "Присвоение или изменение адреса объекта недвижимости",
            "Assignment or change of a property address",
        ),
        "description": (
            "Yangi qurilgan obyektga pochta manzilini berish yoki koʻcha nomi oʻzgarganda manzilni yangilab, "
            "reyestrga kiritish.",
            "Присвоение почтового адреса новому объекту или изменение адреса при переименовании улицы с "
            "внесением в реестр.",
            "Assignment of a postal address to a new building, or a new address after a street is renamed, "
            "entered in the register.",
        ),
        "result": ("Manzil berilganligi haqida maʼlumotnoma", "Справка о присвоении адреса", "Address certificate"),
        "keywords": "adres адрес manzil smena adresa смена адреса изменение адреса address change pochta indeks",
        "fee": ("free", 0),
        "term": 10,
        "online": True,
        "legal": True,
        "documents": ["passport", "title"],
        "steps": [("review", ARCHITECTURE, 5), ("register", CADASTRE, 3)],
    },
    # --- business and licences ---
    {
        "code": "sole-proprietor-registration",
        "category": "business",
        "agency": JUSTICE,
        "name": (
            "Yakka tartibdagi tadbirkorni davlat roʻyxatidan oʻtkazish",
            "Государственная регистрация индивидуального предпринимателя",
            "Registration of an individual entrepreneur",
        ),
        "description": (
            "Jismoniy shaxsni yakka tartibdagi tadbirkor sifatida roʻyxatga olish, STIR berish va soliq organida "
            "hisobga qoʻyish.",
            "Регистрация физического лица в качестве индивидуального предпринимателя с присвоением ИНН и "
            "постановкой на налоговый учёт.",
            "Registration of a person as an individual entrepreneur, with a taxpayer number (STIR) and tax "
            "registration.",
        ),
        "result": (
            "Yakka tartibdagi tadbirkor guvohnomasi",
            "Свидетельство индивидуального предпринимателя",
            "Individual entrepreneur certificate",
        ),
        "keywords": "YaTT ЯТТ IP ИП индивидуальный предприниматель tadbirkor biznes бизнес sole proprietor "
        "entrepreneur STIR INN ИНН",
        "fee": ("brv_multiple", "0.5"),
        "term": 1,
        "online": True,
        "documents": [
            "passport",
            {
                "name": (
                    "Faoliyat yuritiladigan joyga boʻlgan huquq hujjati (uydan tashqarida ishlansa)",
                    "Документ о праве на помещение (если деятельность ведётся не дома)",
                    "Title to the premises (if not working from home)",
                ),
                "original": True,
                "mandatory": False,
            },
        ],
        "steps": [("register", JUSTICE, 1)],
    },
    {
        "code": "llc-registration",
        "category": "business",
        "agency": JUSTICE,
        "name": (
            "Masʼuliyati cheklangan jamiyatni (MChJ) davlat roʻyxatidan oʻtkazish",
            "Государственная регистрация общества с ограниченной ответственностью (ООО)",
            "Registration of a limited liability company (LLC)",
        ),
        "description": (
            "Yangi MChJni roʻyxatga olish: taʼsis hujjatlari qayd etiladi, STIR beriladi, jamiyat soliq va "
            "statistika organlarida hisobga qoʻyiladi.",
            "Регистрация нового ООО: регистрируются учредительные документы, присваивается ИНН, общество "
            "ставится на учёт в налоговых и статистических органах.",
            "Registration of a new LLC: the founding documents are registered, a taxpayer number assigned and the "
            "company registered with the tax and statistics authorities.",
        ),
        "result": (
            "Yuridik shaxsning davlat roʻyxatidan oʻtganlik guvohnomasi",
            "Свидетельство о государственной регистрации юридического лица",
            "Certificate of state registration of a legal entity",
        ),
        "keywords": "MChJ МЧЖ OOO ООО LLC kompaniya компания firma фирма регистрация юридического лица "
        "yuridik shaxs ochish company",
        "fee": ("brv_multiple", "1"),
        "term": 2,
        "online": True,
        "legal": True,
        "documents": [
            (
                "passport",
                {
                    "name": (
                        "Taʼsischilarning shaxsini tasdiqlovchi hujjatlari",
                        "Документы, удостоверяющие личность учредителей",
                        "Identity documents of the founders",
                    )
                },
            ),
            {
                "name": (
                    "Taʼsis hujjatlari (ustav)",
                    "Учредительные документы (устав)",
                    "Founding documents (charter)",
                ),
                "original": True,
                "copies": 2,
            },
            {
                "name": (
                    "Taʼsischilarning jamiyatni tashkil etish toʻgʻrisidagi qarori",
                    "Решение учредителей об учреждении общества",
                    "Founders' decision to establish the company",
                ),
                "original": True,
            },
        ],
        "steps": [("register", JUSTICE, 1), ("register", TAX, 1)],
    },
    {
        "code": "business-closure",
        "category": "business",
        "agency": JUSTICE,
        "name": (
            "Tadbirkorlik subyekti faoliyatini tugatish",
            "Ликвидация субъекта предпринимательства",
            "Closing down a business",
        ),
        "description": (
            "Yakka tartibdagi tadbirkor yoki yuridik shaxs faoliyatini ixtiyoriy tugatish: soliq qarzi yoʻqligi "
            "tekshiriladi va subyekt reyestrdan chiqariladi.",
            "Добровольное прекращение деятельности ИП или юридического лица: проверяется отсутствие налоговой "
            "задолженности, субъект исключается из реестра.",
            "Voluntary closure of an individual entrepreneur or company: the absence of tax debt is checked and "
            "the business is removed from the register.",
        ),
        "result": ("Faoliyat tugatilganligi haqida maʼlumotnoma", "Справка о ликвидации", "Certificate of closure"),
        "keywords": "likvidatsiya ликвидация закрытие ИП ООО tugatish yopish close business liquidation",
        "fee": ("free", 0),
        "term": 10,
        "legal": True,
        "documents": [
            "passport",
            {
                "name": ("Faoliyatni tugatish toʻgʻrisidagi qaror", "Решение о ликвидации", "Decision to close down"),
                "original": True,
            },
            ("company-certificate", {"mandatory": False}),
        ],
        "steps": [("check", TAX, 7), ("register", JUSTICE, 2)],
    },
    {
        "code": "alcohol-retail-licence",
        "category": "business",
        "agency": TAX,
        "name": (
            "Alkogolli mahsulotlarni chakana savdo qilish uchun litsenziya",
            "Лицензия на розничную торговлю алкогольной продукцией",
            "Licence for retail sale of alcoholic drinks",
        ),
        "description": (
            "Savdo obyektida alkogolli ichimliklarni chakana sotish huquqini beruvchi litsenziya. Yongʻin "
            "xavfsizligi va SES obyektni parallel tekshiradi.",
            "Лицензия на право розничной продажи алкогольных напитков в торговом объекте. Пожарная безопасность "
            "и СЭС проверяют объект параллельно.",
            "Licence to sell alcoholic drinks at retail in a shop. Fire safety and the SES inspect the premises in "
            "parallel.",
        ),
        "result": ("Litsenziya", "Лицензия", "Licence"),
        "keywords": "litsenziya лицензия alkogol алкоголь spirtli ichimliklar vino вино pivo пиво alcohol "
        "liquor licence license savdo торговля",
        "fee": ("brv_multiple", "20"),
        "term": 10,
        "individuals": False,
        "legal": True,
        "documents": [
            "company-certificate",
            "premises",
            {
                "name": (
                    "Onlayn nazorat-kassa mashinasi roʻyxatdan oʻtganligi haqida maʼlumot",
                    "Сведения о регистрации онлайн-ККМ",
                    "Registration of the online cash register",
                ),
                "by_center": True,
            },
        ],
        "steps": [
            ("review", TAX, 2),
            [("inspect", FIRE, 5), ("inspect", SES, 5)],
            ("decide", TAX, 3),
        ],
    },
    {
        "code": "outdoor-advertising-permit",
        "category": "business",
        "agency": ARCHITECTURE,
        "name": (
            "Tashqi reklamani joylashtirishga ruxsatnoma",
            "Разрешение на размещение наружной рекламы",
            "Outdoor advertising permit",
        ),
        "description": (
            "Bino peshtoqida yoki koʻchada peshlavha, banner va boshqa tashqi reklama oʻrnatishga ruxsat.",
            "Разрешение на установку вывески, баннера или иной наружной рекламы на фасаде или улице.",
            "Permit to put up a sign, banner or other outdoor advertising on a façade or in the street.",
        ),
        "result": ("Tashqi reklamaga ruxsatnoma", "Разрешение на наружную рекламу", "Outdoor advertising permit"),
        "keywords": "reklama реклама banner баннер vyveska вывеска peshlavha billboard advertising sign",
        "fee": ("brv_multiple", "1"),
        "term": 5,
        "legal": True,
        "documents": [
            "passport",
            {
                "name": (
                    "Reklama konstruksiyasining eskizi va joylashish sxemasi",
                    "Эскиз рекламной конструкции и схема размещения",
                    "Sketch of the sign and its location",
                ),
                "original": True,
            },
        ],
        "steps": [("review", ARCHITECTURE, 3), ("decide", ARCHITECTURE, 2)],
    },
    {
        "code": "tax-debt-certificate",
        "category": "business",
        "agency": TAX,
        "name": (
            "Soliq qarzi yoʻqligi haqida maʼlumotnoma",
            "Справка об отсутствии налоговой задолженности",
            "Certificate of no tax debt",
        ),
        "description": (
            "Jismoniy yoki yuridik shaxsning soliqlar va majburiy toʻlovlar boʻyicha qarzi yoʻqligini "
            "tasdiqlovchi maʼlumotnoma.",
            "Справка, подтверждающая отсутствие у физического или юридического лица задолженности по налогам и "
            "обязательным платежам.",
            "Certificate confirming that a person or company owes no taxes or mandatory payments.",
        ),
        "result": ("Maʼlumotnoma", "Справка", "Certificate"),
        "keywords": "soliq налог nalog qarz задолженность spravka справка tax debt certificate STIR ИНН",
        "fee": ("free", 0),
        "term": 1,
        "online": True,
        "legal": True,
        "documents": ["passport"],
        "steps": [("check", TAX, 1)],
    },
    # --- vehicles and drivers ---
    {
        "code": "driving-licence-replacement",
        "category": "transport",
        "agency": YHXB,
        "name": (
            "Haydovchilik guvohnomasini almashtirish",
            "Замена водительского удостоверения",
            "Driving licence replacement",
        ),
        "description": (
            "Muddati tugagan, yoʻqolgan yoki yaroqsiz holga kelgan haydovchilik guvohnomasini yangisiga almashtirish.",
            "Замена водительского удостоверения с истёкшим сроком, утерянного или испорченного.",
            "Replacement of an expired, lost or damaged driving licence.",
        ),
        "result": ("Haydovchilik guvohnomasi", "Водительское удостоверение", "Driving licence"),
        "keywords": "prava права voditelskoe водительское удостоверение haydovchilik guvohnoma YHXB ЙҲХБ ГАИ GAI "
        "УБДД driver driving licence license",
        "fee": ("brv_percent", "40"),
        "term": 3,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            "medical-083",
            {
                "name": (
                    "Eski haydovchilik guvohnomasi (yoʻqolmagan boʻlsa)",
                    "Прежнее водительское удостоверение (если не утеряно)",
                    "Old driving licence (unless lost)",
                ),
                "original": True,
                "mandatory": False,
            },
        ],
        "steps": [("check", YHXB, 1), ("issue", YHXB, 2)],
    },
    {
        "code": "vehicle-registration",
        "category": "transport",
        "agency": YHXB,
        "name": (
            "Transport vositasini roʻyxatga qoʻyish",
            "Регистрация транспортного средства",
            "Vehicle registration",
        ),
        "description": (
            "Sotib olingan avtomobilni YHXBda roʻyxatga qoʻyish, davlat raqam belgisi va qayd etish guvohnomasini "
            "berish.",
            "Регистрация приобретённого автомобиля в УБДД с выдачей государственных номерных знаков и "
            "свидетельства о регистрации.",
            "Registration of a purchased vehicle with the road traffic safety department, with number plates and "
            "a registration certificate.",
        ),
        "result": (
            "Qayd etish guvohnomasi va davlat raqam belgisi",
            "Свидетельство о регистрации и государственные номерные знаки",
            "Registration certificate and number plates",
        ),
        "keywords": "avtomobil автомобиль mashina машина регистрация авто учёт nomer номер YHXB ГАИ GAI УБДД "
        "vehicle car registration",
        "fee": ("brv_multiple", "1"),
        "term": 2,
        "legal": True,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            {
                "name": (
                    "Oldi-sotdi shartnomasi yoki hisob-maʼlumotnoma",
                    "Договор купли-продажи или справка-счёт",
                    "Sale contract or invoice certificate",
                ),
                "original": True,
            },
            {
                "name": ("Majburiy sugʻurta polisi (OSAGO)", "Полис ОСАГО", "Compulsory motor insurance policy"),
                "by_center": True,
            },
        ],
        "steps": [("inspect", YHXB, 1), ("register", YHXB, 1)],
    },
    {
        "code": "vehicle-deregistration",
        "category": "transport",
        "agency": YHXB,
        "name": (
            "Transport vositasini roʻyxatdan chiqarish",
            "Снятие транспортного средства с учёта",
            "Vehicle deregistration",
        ),
        "description": (
            "Sotilgan, utilizatsiya qilingan yoki chet elga olib chiqiladigan transport vositasini hisobdan chiqarish.",
            "Снятие с учёта проданного, утилизируемого или вывозимого за рубеж транспортного средства.",
            "Deregistration of a vehicle that is sold, scrapped or taken abroad.",
        ),
        "result": (
            "Hisobdan chiqarilganlik haqida maʼlumotnoma",
            "Справка о снятии с учёта",
            "Deregistration certificate",
        ),
        "keywords": "snyatie s ucheta снятие с учёта авто utilizatsiya утилизация YHXB ГАИ deregistration",
        "fee": ("brv_percent", "20"),
        "term": 1,
        "legal": True,
        "documents": ["passport", "vehicle-certificate"],
        "steps": [("register", YHXB, 1)],
    },
    # --- social protection and pensions ---
    {
        "code": "old-age-pension",
        "category": "social",
        "agency": PENSION,
        "name": ("Yoshga doir pensiya tayinlash", "Назначение пенсии по возрасту", "Old-age pension"),
        "description": (
            "Pensiya yoshiga yetgan fuqaroga yoshga doir pensiya tayinlash. Mehnat staji va ish haqi "
            "maʼlumotlarini markaz elektron tarzda soʻrab oladi.",
            "Назначение пенсии по возрасту гражданину, достигшему пенсионного возраста. Сведения о стаже и "
            "заработке центр запрашивает в электронном виде.",
            "Assignment of the old-age pension to a citizen of pension age. The center requests the employment "
            "and earnings records electronically.",
        ),
        "result": ("Pensiya tayinlash toʻgʻrisidagi qaror", "Решение о назначении пенсии", "Pension decision"),
        "keywords": "pensiya пенсия pensionniy пенсионный staj стаж pension retirement",
        "fee": ("free", 0),
        "term": 10,
        "online": True,
        "documents": [
            "passport",
            "employment-record",
            {
                "name": (
                    "Ish haqi haqida maʼlumotnoma (ketma-ket istalgan 5 yil uchun)",
                    "Справка о заработной плате (за любые 5 лет подряд)",
                    "Earnings certificate (any 5 consecutive years)",
                ),
                "by_center": True,
            },
        ],
        "steps": [("check", PENSION, 7), ("decide", PENSION, 3)],
    },
    {
        "code": "child-allowance",
        "category": "social",
        "agency": SOCIAL,
        "name": (
            "Bolali oilalarga nafaqa tayinlash",
            "Назначение пособия семьям с детьми",
            "Allowance for families with children",
        ),
        "description": (
            "Kam taʼminlangan oilalarga 18 yoshgacha boʻlgan farzandlar uchun nafaqa tayinlash. Oilaning "
            "daromadi mahallada oʻrganiladi.",
            "Назначение пособия малообеспеченным семьям на детей до 18 лет. Доходы семьи изучаются в махалле.",
            "Allowance for low-income families with children under 18. The family's income is assessed by the mahalla.",
        ),
        "result": ("Nafaqa tayinlash toʻgʻrisidagi qaror", "Решение о назначении пособия", "Allowance decision"),
        "keywords": "nafaqa пособие posobie детские bolalar puli child benefit allowance ijtimoiy daftar",
        "fee": ("free", 0),
        "term": 10,
        "online": True,
        "documents": [
            "passport",
            (
                "birth-certificate",
                {
                    "name": (
                        "Bolalarning tugʻilganlik haqida guvohnomalari",
                        "Свидетельства о рождении детей",
                        "Birth certificates of the children",
                    )
                },
            ),
            "income",
        ],
        "steps": [("check", MAHALLA, 5), ("decide", SOCIAL, 5)],
    },
    {
        "code": "material-assistance",
        "category": "social",
        "agency": SOCIAL,
        "name": (
            "Kam taʼminlangan oilalarga moddiy yordam tayinlash",
            "Назначение материальной помощи малообеспеченным семьям",
            "Material assistance for low-income families",
        ),
        "description": (
            "Ijtimoiy himoya yagona reyestriga kiritilgan kam taʼminlangan oilalarga bir martalik yoki har oylik "
            "moddiy yordam.",
            "Единовременная или ежемесячная материальная помощь малообеспеченным семьям, включённым в единый "
            "реестр социальной защиты.",
            "One-off or monthly assistance for low-income families on the unified social protection register.",
        ),
        "result": (
            "Moddiy yordam tayinlash toʻgʻrisidagi qaror",
            "Решение о назначении материальной помощи",
            "Assistance decision",
        ),
        "keywords": "moddiy yordam материальная помощь малообеспеченные kam taminlangan ijtimoiy daftar "
        "assistance welfare",
        "fee": ("free", 0),
        "term": 10,
        "documents": ["passport", "income"],
        "steps": [("inspect", MAHALLA, 5), ("decide", SOCIAL, 5)],
    },
    {
        "code": "unemployment-benefit",
        "category": "social",
        "agency": EMPLOYMENT,
        "name": (
            "Ishsiz sifatida roʻyxatga olish va ishsizlik nafaqasini tayinlash",
            "Регистрация в качестве безработного и назначение пособия по безработице",
            "Unemployment registration and benefit",
        ),
        "description": (
            "Ish qidirayotgan fuqaroni ishsiz sifatida roʻyxatga olish, munosib ish takliflarini berish va "
            "ishsizlik nafaqasini tayinlash.",
            "Регистрация ищущего работу гражданина в качестве безработного, подбор вакансий и назначение пособия.",
            "Registration of a job seeker as unemployed, job offers and the unemployment benefit.",
        ),
        "result": (
            "Ishsiz maqomi va nafaqa tayinlash toʻgʻrisidagi buyruq",
            "Приказ о признании безработным и назначении пособия",
            "Order granting unemployed status and benefit",
        ),
        "keywords": "bandlik занятость bezrabotitsa безработица ishsiz rabota работа vakansiya вакансия "
        "unemployment job benefit",
        "fee": ("free", 0),
        "term": 10,
        "online": True,
        "documents": [
            "passport",
            "employment-record",
            {
                "name": (
                    "Maʼlumoti haqida hujjat (diplom)",
                    "Документ об образовании (диплом)",
                    "Education certificate (diploma)",
                ),
                "original": True,
                "mandatory": False,
            },
        ],
        "steps": [("check", EMPLOYMENT, 3), ("decide", EMPLOYMENT, 7)],
    },
    {
        "code": "pension-certificate",
        "category": "social",
        "agency": PENSION,
        "name": ("Pensiya miqdori haqida maʼlumotnoma", "Справка о размере пенсии", "Certificate of pension amount"),
        "description": (
            "Tayinlangan pensiya miqdori va toʻlovlar haqida maʼlumotnoma (bank, viza va boshqalar uchun).",
            "Справка о размере назначенной пенсии и выплатах (для банка, визы и т. п.).",
            "Certificate of the pension amount and payments (for a bank, a visa, etc.).",
        ),
        "result": ("Maʼlumotnoma", "Справка", "Certificate"),
        "keywords": "pensiya пенсия spravka справка razmer размер pension certificate",
        "fee": ("free", 0),
        "term": 1,
        "online": True,
        "documents": ["passport"],
        "steps": [("issue", PENSION, 1)],
    },
    # --- preschool education ---
    {
        "code": "kindergarten-referral",
        "category": "education",
        "agency": PRESCHOOL,
        "name": (
            "Davlat maktabgacha taʼlim tashkilotiga yoʻllanma berish",
            "Направление в государственную дошкольную образовательную организацию",
            "Referral to a state kindergarten",
        ),
        "description": (
            "3–7 yoshli bolani davlat bogʻchasiga navbatga qoʻyish va boʻsh joy boʻlsa yoʻllanma berish. "
            "Imtiyozli toifalar birinchi navbatda joylashtiriladi.",
            "Постановка ребёнка 3–7 лет в очередь в государственный детский сад и выдача направления при наличии "
            "места. Льготные категории — в первую очередь.",
            "Queueing a child aged 3–7 for a state kindergarten and issuing a referral when a place is free. "
            "Privileged categories come first.",
        ),
        "result": ("MTTga yoʻllanma", "Направление в ДОО", "Kindergarten referral"),
        "keywords": "bogcha богча детский сад detskiy sad ДОУ DOU MTT МТТ yollanma направление kindergarten "
        "nursery preschool",
        "fee": ("free", 0),
        "term": 5,
        "online": True,
        "documents": [
            (
                "passport",
                {
                    "name": (
                        "Ota-onadan birining shaxsini tasdiqlovchi hujjati",
                        "Документ, удостоверяющий личность одного из родителей",
                        "Identity document of a parent",
                    )
                },
            ),
            (
                "birth-certificate",
                {
                    "name": (
                        "Bolaning tugʻilganlik haqida guvohnomasi",
                        "Свидетельство о рождении ребёнка",
                        "Child's birth certificate",
                    )
                },
            ),
            {
                "name": (
                    "Bolaning tibbiy kartasi (026-shakl)",
                    "Медицинская карта ребёнка (форма 026)",
                    "Child's medical record (form 026)",
                ),
                "original": True,
            },
            {
                "name": (
                    "Imtiyozni tasdiqlovchi hujjat (agar boʻlsa)",
                    "Документ, подтверждающий льготу (при наличии)",
                    "Document proving a privilege (if any)",
                ),
                "original": True,
                "mandatory": False,
            },
        ],
        "steps": [("check", PRESCHOOL, 3), ("decide", PRESCHOOL, 2)],
    },
    {
        "code": "private-kindergarten-permit",
        "category": "education",
        "agency": PRESCHOOL,
        "name": (
            "Nodavlat maktabgacha taʼlim tashkiloti faoliyatiga ruxsat berish",
            "Разрешение на деятельность негосударственной дошкольной образовательной организации",
            "Permit for a private kindergarten",
        ),
        "description": (
            "Xususiy bogʻcha ochish uchun ruxsatnoma. Binoning sanitariya va yongʻin xavfsizligi talablariga "
            "muvofiqligi parallel tekshiriladi.",
            "Разрешение на открытие частного детского сада. Соответствие здания санитарным требованиям и "
            "требованиям пожарной безопасности проверяется параллельно.",
            "Permit to open a private kindergarten. The building is checked against sanitary and fire safety "
            "requirements in parallel.",
        ),
        "result": ("Ruxsatnoma", "Разрешение", "Permit"),
        "keywords": "xususiy bogcha частный детский сад chastniy sad негосударственный MTT МТТ private kindergarten",
        "fee": ("brv_multiple", "5"),
        "term": 15,
        "individuals": False,
        "legal": True,
        "documents": [
            "company-certificate",
            "premises",
            {
                "name": (
                    "Pedagog xodimlar roʻyxati va ularning maʼlumoti haqidagi hujjatlar",
                    "Список педагогов и документы об их образовании",
                    "List of teachers and their qualifications",
                ),
                "copies": 1,
            },
        ],
        "steps": [
            ("review", PRESCHOOL, 3),
            [("inspect", SES, 5), ("inspect", FIRE, 5)],
            ("decide", PRESCHOOL, 5),
        ],
    },
    # --- utilities ---
    {
        "code": "gas-connection-conditions",
        "category": "utilities",
        "agency": GAS,
        "name": (
            "Gaz taʼminoti tarmogʻiga ulanish uchun texnik shartlar berish",
            "Выдача технических условий на подключение к газовой сети",
            "Technical conditions for gas connection",
        ),
        "description": (
            "Uy yoki obyektni tabiiy gaz tarmogʻiga ulash uchun texnik shartlar: ulanish nuqtasi, quvur diametri "
            "va hisoblagichga talablar.",
            "Технические условия на подключение дома или объекта к газовой сети: точка подключения, диаметр "
            "трубы, требования к счётчику.",
            "Technical conditions for connecting a house or building to the gas network: connection point, pipe "
            "size and meter requirements.",
        ),
        "result": ("Texnik shartlar", "Технические условия", "Technical conditions"),
        "keywords": "gaz газ gas texnik shartlar технические условия TU ТУ podklyuchenie подключение ulanish "
        "gazifikatsiya connection",
        "fee": ("fixed", "180000"),
        "term": 7,
        "legal": True,
        "documents": ["passport", "title", "site-plan"],
        "steps": [("inspect", GAS, 3), ("tech", GAS, 4)],
    },
    {
        "code": "power-connection-conditions",
        "category": "utilities",
        "agency": POWER,
        "name": (
            "Elektr tarmoqlariga ulanish uchun texnik shartlar berish",
            "Выдача технических условий на подключение к электрическим сетям",
            "Technical conditions for power connection",
        ),
        "description": (
            "Obyektni elektr tarmogʻiga ulash yoki quvvatini oshirish uchun texnik shartlar.",
            "Технические условия на подключение объекта к электросетям или увеличение мощности.",
            "Technical conditions for connecting a building to the power grid or increasing its capacity.",
        ),
        "result": ("Texnik shartlar", "Технические условия", "Technical conditions"),
        "keywords": "elektr электр svet свет электроэнергия электричество tok power electricity texnik shartlar "
        "технические условия подключение",
        "fee": ("fixed", "200000"),
        "term": 7,
        "legal": True,
        "documents": [
            "passport",
            "title",
            {
                "name": (
                    "Soʻralayotgan quvvat haqida maʼlumot (kVt)",
                    "Сведения о запрашиваемой мощности (кВт)",
                    "Requested capacity (kW)",
                ),
                "original": True,
            },
        ],
        "steps": [("inspect", POWER, 3), ("tech", POWER, 4)],
    },
    {
        "code": "water-connection-conditions",
        "category": "utilities",
        "agency": WATER,
        "name": (
            "Ichimlik suvi va kanalizatsiya tarmoqlariga ulanish uchun texnik shartlar",
            "Технические условия на подключение к водопроводу и канализации",
            "Technical conditions for water and sewer connection",
        ),
        "description": (
            "Obyektni markazlashgan ichimlik suvi va kanalizatsiya tarmoqlariga ulash uchun texnik shartlar.",
            "Технические условия на подключение объекта к централизованному водопроводу и канализации.",
            "Technical conditions for connecting a building to the central water supply and sewers.",
        ),
        "result": ("Texnik shartlar", "Технические условия", "Technical conditions"),
        "keywords": "suv вода voda kanalizatsiya канализация vodoprovod водопровод water sewer texnik shartlar "
        "технические условия",
        "fee": ("fixed", "120000"),
        "term": 7,
        "legal": True,
        "documents": ["passport", "title", "site-plan"],
        "steps": [("inspect", WATER, 3), ("tech", WATER, 4)],
    },
    # --- land ---
    {
        "code": "land-plot-allocation",
        "category": "land",
        "agency": LAND,
        "name": (
            "Yakka tartibda uy-joy qurish uchun yer uchastkasi ajratish",
            "Предоставление земельного участка для индивидуального жилищного строительства",
            "Land plot for individual housing",
        ),
        "description": (
            "Uy-joy qurish uchun yer uchastkasi ajratish. Arxitektura boʻlimi va Kadastr agentligi xulosalari "
            "parallel olinadi, soʻng yer resurslari boʻlimi qaror qabul qiladi.",
            "Предоставление земельного участка под строительство жилого дома. Заключения отдела архитектуры и "
            "Агентства по кадастру получаются параллельно, затем решение принимает отдел земельных ресурсов.",
            "Allocation of a plot for building a house. The architecture department and the Cadastre Agency give "
            "their opinions in parallel, then the land resources department decides.",
        ),
        "result": (
            "Yer uchastkasi ajratish toʻgʻrisidagi qaror",
            "Решение о предоставлении земельного участка",
            "Land allocation decision",
        ),
        "keywords": "yer ер zemlya земля uchastok участок земельный IJS ИЖС tomorqa land plot allocation "
        "kadastr кадастр cadastre",
        "fee": ("brv_multiple", "1"),
        "term": 20,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            {
                "name": (
                    "Uy-joyga muhtojlikni tasdiqlovchi mahalla xulosasi",
                    "Заключение махалли о нуждаемости в жилье",
                    "Mahalla statement of housing need",
                ),
                "by_center": True,
            },
        ],
        "steps": [
            ("review", LAND, 5),
            [("approve", ARCHITECTURE, 7), ("approve", CADASTRE, 7)],
            ("decide", LAND, 5),
        ],
    },
    {
        "code": "land-boundary-marking",
        "category": "land",
        "agency": LAND,
        "name": (
            "Yer uchastkasi chegaralarini joyda belgilash",
            "Вынос границ земельного участка в натуру",
            "Marking out land plot boundaries",
        ),
        "description": (
            "Yer uchastkasi chegaralarini joyda geodezik asboblar bilan aniqlash va chegara belgilarini oʻrnatish.",
            "Определение границ земельного участка на местности геодезическими приборами и установка межевых знаков.",
            "Surveying a plot's boundaries on the ground and setting the boundary markers.",
        ),
        "result": (
            "Chegaralarni joyda belgilash dalolatnomasi",
            "Акт выноса границ в натуру",
            "Boundary marking report",
        ),
        "keywords": "mejevanie межевание granitsi границы chegara geodeziya геодезия syomka съёмка boundary "
        "survey kadastr кадастр cadastre",
        "fee": ("brv_multiple", "1"),
        "term": 10,
        "legal": True,
        "discounts": [DISABILITY],
        "documents": ["passport", "land-title"],
        "steps": [("inspect", LAND, 7), ("register", CADASTRE, 3)],
    },
    # --- justice, notary and archives ---
    {
        "code": "criminal-record-certificate",
        "category": "justice",
        "agency": INFO_CENTER,
        "name": (
            "Sudlanganlik yoki sudlanmaganlik haqida maʼlumotnoma",
            "Справка о наличии или отсутствии судимости",
            "Certificate of (no) criminal record",
        ),
        "description": (
            "Fuqaroning sudlanganligi yoki sudlanmaganligi haqida IIB axborot markazining maʼlumotnomasi (ishga "
            "kirish, viza va boshqalar uchun).",
            "Справка информационного центра МВД о наличии или отсутствии судимости (для трудоустройства, визы и "
            "т. п.).",
            "Certificate from the police information center on whether a person has a criminal record (for a "
            "job, a visa, etc.).",
        ),
        "result": ("Maʼlumotnoma", "Справка", "Certificate"),
        "keywords": "sudimost судимость несудимость spravka справка sudlanmaganlik criminal record police "
        "clearance IIB МВД",
        "fee": ("brv_percent", "20"),
        "term": 3,
        "online": True,
        "discounts": [DISABILITY],
        "documents": ["passport"],
        "steps": [("check", INFO_CENTER, 3)],
    },
    {
        "code": "power-of-attorney",
        "category": "justice",
        "agency": NOTARY,
        "name": (
            "Ishonchnomani notarial tasdiqlash",
            "Нотариальное удостоверение доверенности",
            "Notarised power of attorney",
        ),
        "description": (
            "Boshqa shaxsga avtomobilni boshqarish, mulkni tasarruf etish yoki manfaatlarni ifodalash huquqini "
            "beruvchi ishonchnomani notarial tasdiqlash.",
            "Нотариальное удостоверение доверенности на управление автомобилем, распоряжение имуществом или "
            "представление интересов.",
            "Notarisation of a power of attorney to drive a car, dispose of property or represent someone.",
        ),
        "result": (
            "Notarial tasdiqlangan ishonchnoma",
            "Нотариально удостоверенная доверенность",
            "Notarised power of attorney",
        ),
        "keywords": "notarius нотариус notarial doverennost доверенность ishonchnoma power of attorney notary",
        "fee": ("brv_percent", "20"),
        "term": 1,
        "legal": True,
        "documents": [
            "passport",
            {
                "name": (
                    "Ishonchli vakilning pasport maʼlumotlari",
                    "Паспортные данные доверенного лица",
                    "Passport details of the representative",
                ),
                "copies": 1,
            },
            ("vehicle-certificate", {"mandatory": False}),
        ],
        "steps": [("issue", NOTARY, 1)],
    },
    {
        "code": "inheritance-certificate",
        "category": "justice",
        "agency": NOTARY,
        "name": (
            "Meros huquqi toʻgʻrisida guvohnoma berish",
            "Выдача свидетельства о праве на наследство",
            "Certificate of inheritance",
        ),
        "description": (
            "Meros ochilgandan soʻng merosxoʻrlarga meros mulkka boʻlgan huquqi toʻgʻrisida guvohnoma berish.",
            "Выдача наследникам свидетельства о праве на наследственное имущество после открытия наследства.",
            "Issue to the heirs of the certificate of their right to the inherited property.",
        ),
        "result": (
            "Meros huquqi toʻgʻrisida guvohnoma",
            "Свидетельство о праве на наследство",
            "Certificate of inheritance",
        ),
        "keywords": "meros наследство nasledstvo vasiyat завещание notarius нотариус inheritance will heir",
        "fee": ("brv_multiple", "1"),
        "term": 10,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            {"name": ("Oʻlim haqida guvohnoma", "Свидетельство о смерти", "Death certificate"), "by_center": True},
            {
                "name": (
                    "Qarindoshlikni tasdiqlovchi hujjatlar",
                    "Документы, подтверждающие родство",
                    "Documents proving kinship",
                ),
                "by_center": True,
            },
            "title",
        ],
        "steps": [("check", NOTARY, 7), {"kind": "issue", "agency": NOTARY, "days": 3, "role": "agency_head"}],
    },
    {
        "code": "archive-certificate",
        "category": "justice",
        "agency": ARCHIVE,
        "name": (
            "Arxiv maʼlumotnomasini berish (ish staji va ish haqi)",
            "Выдача архивной справки (о стаже и заработной плате)",
            "Archive certificate (employment and earnings)",
        ),
        "description": (
            "Tugatilgan tashkilotlar hujjatlari asosida ish staji, ish haqi yoki boshqa faktlarni tasdiqlovchi "
            "arxiv maʼlumotnomasi.",
            "Архивная справка о стаже, заработной плате и иных фактах по документам ликвидированных организаций.",
            "An archive certificate of employment, earnings or other facts from the records of closed organisations.",
        ),
        "result": ("Arxiv maʼlumotnomasi", "Архивная справка", "Archive certificate"),
        "keywords": "arxiv архив arhiv spravka справка staj стаж zarplata зарплата archive certificate records",
        "fee": ("fixed", "22000"),
        "term": 10,
        "online": True,
        "legal": True,
        "documents": [
            "passport",
            {
                "name": (
                    "Soʻralayotgan davr va tashkilot haqida maʼlumot",
                    "Сведения о запрашиваемом периоде и организации",
                    "The period and organisation the request is about",
                ),
                "original": True,
            },
        ],
        "steps": [("check", ARCHIVE, 8), ("issue", ARCHIVE, 2)],
    },
    {
        "code": "apostille",
        "category": "justice",
        "agency": JUSTICE_REGION,
        "name": ("Rasmiy hujjatlarga apostil qoʻyish", "Проставление апостиля на официальных документах", "Apostille"),
        "description": (
            "Chet davlatda foydalanish uchun Oʻzbekistonda berilgan rasmiy hujjatlarga (guvohnomalar, diplomlar, "
            "maʼlumotnomalar) apostil qoʻyish.",
            "Проставление апостиля на выданных в Узбекистане официальных документах (свидетельства, дипломы, "
            "справки) для использования за рубежом.",
            "An apostille on official documents issued in Uzbekistan (certificates, diplomas, statements) for use "
            "abroad.",
        ),
        "result": ("Apostil qoʻyilgan hujjat", "Документ с апостилем", "Apostilled document"),
        "keywords": "apostil апостиль apostille legalizatsiya легализация chet el за границу abroad legalization",
        "fee": ("brv_percent", "50"),
        "term": 5,
        "legal": True,
        "discounts": [DISABILITY],
        "documents": [
            "passport",
            {
                "name": (
                    "Apostil qoʻyiladigan hujjatning asl nusxasi",
                    "Оригинал документа для апостиля",
                    "The original document to be apostilled",
                ),
                "original": True,
            },
        ],
        "steps": [("check", JUSTICE_REGION, 3), ("issue", JUSTICE_REGION, 2)],
    },
]

# --- Counters of the Namangan city center: (number, categories, extra services) -----------------
COUNTERS = [
    (1, ["civil-registry"], []),
    (2, ["passport"], []),
    (3, ["property"], []),
    (4, ["construction", "land"], ["cadastre-passport"]),
    (5, ["business"], []),
    (6, ["social", "education"], []),
    (7, ["transport", "utilities"], []),
    (8, ["justice"], ["cadastre-extract", "tax-debt-certificate", "pension-certificate"]),
]

# --- Users: one for every role --------------------------------------------------------------------
USERS = [
    {
        "username": "admin",
        "first_name": "Akmal",
        "last_name": "Yusupov",
        "language": "uz",
        "role": "administrator",
        "organization": REGION,
        "superuser": True,
    },
    {
        "username": "manager",
        "first_name": "Dilnoza",
        "last_name": "Karimova",
        "language": "ru",
        "role": "center_manager",
        "organization": CENTER,
    },
    {
        "username": "operator1",
        "first_name": "Shahzoda",
        "last_name": "Toʻxtasinova",
        "language": "uz",
        "role": "operator",
        "organization": CENTER,
    },
    {
        "username": "operator2",
        "first_name": "Jasur",
        "last_name": "Mirzayev",
        "language": "ru",
        "role": "operator",
        "organization": CENTER,
    },
    {
        "username": "clerk",
        "first_name": "Bekzod",
        "last_name": "Ergashev",
        "language": "uz",
        "role": "agency_clerk",
        "organization": CADASTRE,
    },
    {
        "username": "head",
        "first_name": "Rustam",
        "last_name": "Qodirov",
        "language": "ru",
        "role": "agency_head",
        "organization": CADASTRE,
    },
    {
        "username": "clerk.arch",
        "first_name": "Nodira",
        "last_name": "Ahmedova",
        "language": "ru",
        "role": "agency_clerk",
        "organization": ARCHITECTURE,
    },
    {
        "username": "press",
        "first_name": "Malika",
        "last_name": "Sobirova",
        "language": "uz",
        "role": "press_secretary",
        "organization": CITY_HOKIMIYAT,
    },
    {
        "username": "hokim",
        "first_name": "Ulugʻbek",
        "last_name": "Nazarov",
        "language": "uz",
        "role": "leadership",
        "organization": CITY_HOKIMIYAT,
    },
]
