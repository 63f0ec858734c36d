from darcha.core.translit import cyrillic_to_latin, latin_to_cyrillic, search_key


def test_latin_to_cyrillic():
    assert latin_to_cyrillic("Oʻzbekiston") == "Ўзбекистон"
    assert latin_to_cyrillic("Gʻalla, shahar, choy, yoʻl") == "Ғалла, шаҳар, чой, йўл"
    assert latin_to_cyrillic("Elektron ariza") == "Электрон ариза"
    assert latin_to_cyrillic("Yangiqoʻrgʻon") == "Янгиқўрғон"
    assert latin_to_cyrillic("obyekt, yer, poyezd") == "объект, ер, поезд"


def test_placeholders_and_tags_survive():
    assert latin_to_cyrillic("%(count)d kun, {name} <b>ish</b>") == "%(count)d кун, {name} <b>иш</b>"


def test_cyrillic_to_latin_and_search_key():
    assert cyrillic_to_latin("Ўзбекистон") == "Oʻzbekiston"
    assert search_key("Кадастр") == search_key("kadastr") == "kadastr"
    assert search_key("Koʻchmas mulk") == search_key("Кўчмас мулк") == search_key("ko'chmas  mulk")
