"""Word lists behind the matcher's guards against look-alike institutions."""

from __future__ import annotations

# Words that continue an organisation's name: "Nanjing University" + "of Aeronautics ...".
CONTINUES = frozenset(
    "of for university institute academy technology science engineering medical "
    "normal polytechnical aeronautics astronautics posts telecommunications agricultural "
    "finance economics commerce petroleum mining forestry jiaotong electronic hospital "
    "renai jincheng zijin".split()
)
# Directions that make a different institution: "Northwest University" vs "University".
DIRECTIONS = frozenset(
    "north south east west northwest northwestern northeast northeastern southwest "
    "southwestern southeast southeastern central".split()
)
# Words that alone never name one organisation (an alias made only of these is generic).
GENERIC = frozenset(
    "institute university academy college school center laboratory key state national "
    "research science technology engineering department division faculty group company "
    "corporation limited ltd factory design general first second third ninth innovation "
    "physics computing computer information electronics electronic radiation medicine "
    "medical microbial epidemiology toxicology drugs disease control prevention quantum "
    "space application aeronautics astronautics aerospace sciences automation "
    "microelectronics nth th st nd rd planning".split()
)
# Places (Chinese provinces and large cities, Russian cities): a campus or branch word
# inside a name makes the match uncertain; also keeps typo repair off real place names.
PLACES = frozenset(
    "beijing shanghai tianjin chongqing harbin nanjing hangzhou wuhan xian xi an chengdu "
    "shenzhen guangzhou zhuhai weihai shenyang dalian changchun jinan qingdao suzhou wuxi "
    "hefei fuzhou xiamen changsha kunming guiyang nanning lanzhou urumqi hohhot yinchuan "
    "xining taiyuan shijiazhuang zhengzhou luoyang nanchang ningbo wenzhou dongguan foshan "
    "yantai zibo tangshan baotou anshan huizhou taizhou yibin luzhou rugao lianyungang "
    "hebei shanxi liaoning jilin heilongjiang jiangsu zhejiang anhui fujian jiangxi "
    "shandong henan hubei hunan guangdong hainan sichuan guizhou yunnan shaanxi gansu "
    "qinghai taiwan guangxi xinjiang tibet ningxia mongolia hongkong macau "
    "moscow petersburg novosibirsk kazan yekaterinburg tomsk samara vladivostok "
    "nizhny novgorod rostov krasnoyarsk omsk perm ufa voronezh dubna anapa innopolis".split()
)
