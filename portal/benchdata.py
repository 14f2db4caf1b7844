"""A realistic archive for benchmarks: `flask portal bench-data --statements N --languages 30`.

Everything is written with SQLAlchemy Core bulk inserts (lists of dicts, a few thousand
rows a statement) with ids assigned here, a chunk of statements at a time so that memory
stays bounded: 10,000 statements × 30 languages load in a few minutes on SQLite and on
PostgreSQL. The archive looks like years of an alliance's work:

- statements written mostly in English, some in Spanish, French, Arabic, Portuguese…, each a
  title, a summary and a body of about eight Markdown blocks (paragraphs with links and
  emphasis, sometimes a heading, a list or a quote), cut into segments by
  `portal.content.split_statement` exactly as the app cuts them;
- one translation per other enabled language: old statements mostly published (some
  languages never done, a few unpublished), recent ones with work on every step — queued,
  claimed (some claims run out), in review (some sent back once), approved, and
  `needs_update` where the source was revised after its release;
- a release per released statement (a few scheduled in the future), a second one where the
  source was revised, publications of the source and of each published version;
- volunteers with language skills, a few member organizations, readers' problem reports;
- three accounts to sign in with: coordinator@, translator@ (three languages, holding three
  claims) and reviewer@bench.example.org.

Text comes from small built-in word lists per language and script: no downloads. Drafts
are made for the work in progress only (not for the thousands of finished translations);
the audit log is left empty.
"""

import itertools
import random
import secrets
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from typing import NamedTuple

import click
from sqlalchemy import bindparam, func, insert, select, text, update

from portal.content import Segment, join_statement, split_statement
from portal.extensions import db
from portal.models import (
    DraftSegment,
    Language,
    LanguageSkill,
    Organization,
    ProblemReport,
    Publication,
    Release,
    Review,
    ReviewDecision,
    Role,
    SegmentKind,
    SourceRevision,
    SourceSegment,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    VersionSegment,
    organization_languages,
    utcnow,
)
from portal.models.languages import canonical_tag
from portal.visibility import refresh_editions
from portal.workflow.tallies import compact_tallies

# Thirty languages, in the order `--languages N` takes them: the demo's eight first.
LANGUAGES = ["en", "es", "fr", "ar", "fil", "id", "pt-BR", "zh-Hans", "de", "it", "ru", "tr",
             "hi", "bn", "ur", "fa", "sw", "am", "ne", "ta", "th", "vi", "ko", "ja", "pl",
             "uk", "ro", "nl", "el", "he"]
# Where statements are written: mostly English, as in the alliance's own archive.
SOURCE_WEIGHTS = {"en": 70, "es": 10, "fr": 8, "ar": 4, "pt-BR": 3, "id": 2, "fil": 1,
                  "zh-Hans": 1, "ru": 1}
BENCH_DOMAIN = "bench.example.org"
COORDINATOR = f"coordinator@{BENCH_DOMAIN}"
TRANSLATOR = f"translator@{BENCH_DOMAIN}"
REVIEWER = f"reviewer@{BENCH_DOMAIN}"
# A word in about one statement in 500, in every language of it: the benchmarks' rare search.
RARE_WORD = "Tegucigalpa"
BATCH = 4000  # rows per executemany
ROWS_PER_STATEMENT = 250  # rows per INSERT … VALUES statement on PostgreSQL
CHUNK = 200  # statements generated and written at a time

# --- words --------------------------------------------------------------------------------

WORDS = {
    "en": "workers migrant migrants rights wages families government policy solidarity "
          "alliance organizations domestic labour unions justice dignity deportation "
          "recruitment fees contracts employers protection women children communities "
          "countries action demand support statement campaign struggle health housing safety "
          "equality freedom law decent work together voices we call on all across the world "
          "today more than years against must people borders",
    "es": "trabajadores migrantes derechos salarios familias gobierno política solidaridad "
          "alianza organizaciones hogar trabajo sindicatos justicia dignidad deportación "
          "contratación contratos empleadores protección mujeres niñas comunidades países "
          "acción exigimos apoyo declaración campaña lucha salud vivienda seguridad igualdad "
          "libertad ley digno juntos voces llamamos todo mundo hoy más años contra debe pueblo "
          "fronteras",
    "fr": "travailleurs migrants droits salaires familles gouvernement politique solidarité "
          "alliance organisations domestique travail syndicats justice dignité expulsion "
          "recrutement contrats employeurs protection femmes enfants communautés pays action "
          "exigeons soutien déclaration campagne lutte santé logement sécurité égalité liberté "
          "loi digne ensemble voix appelons monde aujourd'hui plus années contre doit peuple "
          "frontières",
    "pt": "trabalhadores migrantes direitos salários famílias governo política solidariedade "
          "aliança organizações doméstico trabalho sindicatos justiça dignidade deportação "
          "recrutamento contratos empregadores proteção mulheres crianças comunidades países "
          "ação exigimos apoio declaração campanha luta saúde moradia segurança igualdade "
          "liberdade lei digno juntos vozes chamamos mundo hoje mais anos contra deve povo "
          "fronteiras",
    "de": "Arbeiter Migranten Rechte Löhne Familien Regierung Politik Solidarität Bündnis "
          "Organisationen Hausarbeit Arbeit Gewerkschaften Gerechtigkeit Würde Abschiebung "
          "Anwerbung Verträge Arbeitgeber Schutz Frauen Kinder Gemeinschaften Länder Aktion "
          "fordern Unterstützung Erklärung Kampagne Kampf Gesundheit Wohnung Sicherheit "
          "Gleichheit Freiheit Gesetz gemeinsam Stimmen rufen Welt heute mehr Jahre gegen "
          "muss Grenzen",
    "it": "lavoratori migranti diritti salari famiglie governo politica solidarietà alleanza "
          "organizzazioni domestico lavoro sindacati giustizia dignità espulsione reclutamento "
          "contratti datori protezione donne bambini comunità paesi azione chiediamo sostegno "
          "dichiarazione campagna lotta salute casa sicurezza uguaglianza libertà legge "
          "dignitoso insieme voci mondo oggi più anni contro deve popolo",
    "id": "pekerja migran hak upah keluarga pemerintah kebijakan solidaritas aliansi "
          "organisasi rumah tangga kerja serikat keadilan martabat deportasi perekrutan "
          "kontrak majikan perlindungan perempuan anak komunitas negara aksi menuntut dukungan "
          "pernyataan kampanye perjuangan kesehatan perumahan keamanan kesetaraan kebebasan "
          "hukum layak bersama suara menyerukan dunia hari ini lebih tahun melawan harus rakyat",
    "fil": "manggagawa migrante karapatan sahod pamilya pamahalaan patakaran pagkakaisa alyansa "
           "organisasyon kasambahay trabaho unyon katarungan dignidad deportasyon rekrutment "
           "kontrata amo proteksyon kababaihan kabataan komunidad bansa pagkilos hinihingi "
           "suporta pahayag kampanya pakikibaka kalusugan pabahay kaligtasan pagkakapantay "
           "kalayaan batas disente sama-sama tinig nananawagan mundo ngayon higit taon laban "
           "dapat mamamayan",
    "tr": "işçiler göçmenler haklar ücretler aileler hükümet politika dayanışma ittifak "
          "örgütler ev emek sendikalar adalet onur sınır dışı işe alım sözleşmeler işverenler "
          "koruma kadınlar çocuklar topluluklar ülkeler eylem talep destek açıklama kampanya "
          "mücadele sağlık barınma güvenlik eşitlik özgürlük yasa insanca birlikte sesler "
          "çağırıyoruz dünya bugün daha yıllar karşı gerekir halk",
    "sw": "wafanyakazi wahamiaji haki mishahara familia serikali sera mshikamano muungano "
          "mashirika nyumbani kazi vyama heshima kufukuzwa uajiri mikataba waajiri ulinzi "
          "wanawake watoto jamii nchi hatua tunadai msaada tamko kampeni mapambano afya makazi "
          "usalama usawa uhuru sheria pamoja sauti tunatoa wito dunia leo zaidi miaka dhidi "
          "lazima watu",
    "vi": "người lao động di cư quyền tiền lương gia đình chính phủ chính sách đoàn kết liên "
          "minh tổ chức giúp việc công việc công đoàn công lý phẩm giá trục xuất tuyển dụng "
          "hợp đồng chủ bảo vệ phụ nữ trẻ em cộng đồng quốc gia hành động yêu cầu hỗ trợ "
          "tuyên bố chiến dịch đấu tranh sức khỏe nhà ở an toàn bình đẳng tự do luật cùng "
          "nhau tiếng nói kêu gọi thế giới hôm nay",
    "pl": "pracownicy migranci prawa płace rodziny rząd polityka solidarność sojusz "
          "organizacje domowa praca związki sprawiedliwość godność deportacja rekrutacja umowy "
          "pracodawcy ochrona kobiety dzieci społeczności kraje akcja żądamy wsparcie "
          "oświadczenie kampania walka zdrowie mieszkanie bezpieczeństwo równość wolność prawo "
          "godny razem głosy wzywamy świat dziś więcej lat przeciw musi",
    "ro": "muncitori migranți drepturi salarii familii guvern politică solidaritate alianță "
          "organizații casnică muncă sindicate dreptate demnitate deportare recrutare "
          "contracte angajatori protecție femei copii comunități țări acțiune cerem sprijin "
          "declarație campanie luptă sănătate locuințe siguranță egalitate libertate lege "
          "decentă împreună voci chemăm lume astăzi mai ani împotriva trebuie popor",
    "nl": "arbeiders migranten rechten lonen gezinnen regering beleid solidariteit alliantie "
          "organisaties huishoudelijk werk vakbonden rechtvaardigheid waardigheid uitzetting "
          "werving contracten werkgevers bescherming vrouwen kinderen gemeenschappen landen "
          "actie eisen steun verklaring campagne strijd gezondheid huisvesting veiligheid "
          "gelijkheid vrijheid wet waardig samen stemmen roepen wereld vandaag meer jaren "
          "tegen moet volk",
    "ar": "العمال المهاجرين حقوق الأجور العائلات الحكومة السياسة التضامن التحالف المنظمات "
          "المنزلية العمل النقابات العدالة الكرامة الترحيل التوظيف العقود أصحاب الحماية "
          "النساء الأطفال المجتمعات البلدان نطالب الدعم بيان حملة النضال الصحة السكن الأمان "
          "المساواة الحرية القانون اللائق معا أصوات ندعو العالم اليوم أكثر سنوات ضد يجب الشعب",
    "ur": "مزدور تارکین حقوق اجرت خاندان حکومت پالیسی یکجہتی اتحاد تنظیمیں گھریلو کام یونین "
          "انصاف وقار ملک بدری بھرتی معاہدے آجر تحفظ خواتین بچے برادریاں ممالک عمل مطالبہ "
          "حمایت بیان مہم جدوجہد صحت رہائش حفاظت برابری آزادی قانون باوقار مل کر آوازیں اپیل "
          "دنیا آج زیادہ سال خلاف لازمی عوام",
    "fa": "کارگران مهاجران حقوق دستمزد خانواده‌ها دولت سیاست همبستگی اتحاد سازمان‌ها خانگی "
          "کار اتحادیه عدالت کرامت اخراج استخدام قراردادها کارفرمایان حمایت زنان کودکان جوامع "
          "کشورها اقدام خواستار پشتیبانی بیانیه کارزار مبارزه سلامت مسکن امنیت برابری آزادی "
          "قانون شایسته با هم صداها جهان امروز بیشتر سال‌ها علیه باید مردم",
    "he": "עובדים מהגרים זכויות שכר משפחות ממשלה מדיניות סולידריות ברית ארגונים בית עבודה "
          "איגודים צדק כבוד גירוש גיוס חוזים מעסיקים הגנה נשים ילדים קהילות מדינות פעולה "
          "דורשים תמיכה הצהרה קמפיין מאבק בריאות דיור ביטחון שוויון חופש חוק הוגן יחד קולות "
          "קוראים עולם היום יותר שנים נגד חייב עם",
    "ru": "работники мигранты права зарплаты семьи правительство политика солидарность альянс "
          "организации домашний труд профсоюзы справедливость достоинство депортация вербовка "
          "контракты работодатели защита женщины дети общины страны действие требуем "
          "поддержка заявление кампания борьба здоровье жильё безопасность равенство свобода "
          "закон достойный вместе голоса призываем мир сегодня больше лет против должны народ",
    "uk": "працівники мігранти права зарплати родини уряд політика солідарність альянс "
          "організації домашня праця профспілки справедливість гідність депортація "
          "вербування контракти роботодавці захист жінки діти громади країни дія вимагаємо "
          "підтримка заява кампанія боротьба здоров'я житло безпека рівність свобода закон "
          "гідний разом голоси закликаємо світ сьогодні більше років проти мають народ",
    "el": "εργαζόμενοι μετανάστες δικαιώματα μισθοί οικογένειες κυβέρνηση πολιτική "
          "αλληλεγγύη συμμαχία οργανώσεις οικιακή εργασία συνδικάτα δικαιοσύνη αξιοπρέπεια "
          "απέλαση στρατολόγηση συμβάσεις εργοδότες προστασία γυναίκες παιδιά κοινότητες χώρες "
          "δράση απαιτούμε στήριξη δήλωση εκστρατεία αγώνας υγεία στέγαση ασφάλεια ισότητα "
          "ελευθερία νόμος αξιοπρεπής μαζί φωνές καλούμε κόσμος σήμερα περισσότερα χρόνια "
          "ενάντια πρέπει λαός",
    "hi": "मज़दूर प्रवासी अधिकार मज़दूरी परिवार सरकार नीति एकजुटता गठबंधन संगठन घरेलू काम यूनियन "
          "न्याय गरिमा निर्वासन भर्ती अनुबंध नियोक्ता सुरक्षा महिलाएँ बच्चे समुदाय देश कार्रवाई "
          "माँग समर्थन बयान अभियान संघर्ष स्वास्थ्य आवास समानता आज़ादी क़ानून सम्मानजनक साथ "
          "आवाज़ें आह्वान दुनिया आज अधिक साल विरुद्ध चाहिए जनता",
    "ne": "मजदुर आप्रवासी अधिकार ज्याला परिवार सरकार नीति ऐक्यबद्धता गठबन्धन संगठन घरेलु काम "
          "युनियन न्याय मर्यादा निष्कासन भर्ना सम्झौता रोजगारदाता सुरक्षा महिला बालबालिका समुदाय "
          "देश कारबाही माग समर्थन वक्तव्य अभियान सङ्घर्ष स्वास्थ्य आवास समानता स्वतन्त्रता कानुन "
          "सँगै आवाज आह्वान विश्व आज बढी वर्ष विरुद्ध पर्छ जनता",
    "bn": "শ্রমিক অভিবাসী অধিকার মজুরি পরিবার সরকার নীতি সংহতি জোট সংগঠন গৃহস্থালি কাজ ইউনিয়ন "
          "ন্যায়বিচার মর্যাদা নির্বাসন নিয়োগ চুক্তি নিয়োগকর্তা সুরক্ষা নারী শিশু সম্প্রদায় দেশ "
          "পদক্ষেপ দাবি সমর্থন বিবৃতি প্রচারণা সংগ্রাম স্বাস্থ্য আবাসন নিরাপত্তা সমতা স্বাধীনতা আইন "
          "একসাথে কণ্ঠ আহ্বান বিশ্ব আজ আরও বছর বিরুদ্ধে অবশ্যই জনগণ",
    "ta": "தொழிலாளர்கள் புலம்பெயர்ந்தோர் உரிமைகள் ஊதியம் குடும்பங்கள் அரசு கொள்கை ஒற்றுமை "
          "கூட்டணி அமைப்புகள் வீட்டு வேலை சங்கங்கள் நீதி கண்ணியம் நாடுகடத்தல் ஆட்சேர்ப்பு "
          "ஒப்பந்தங்கள் முதலாளிகள் பாதுகாப்பு பெண்கள் குழந்தைகள் சமூகங்கள் நாடுகள் நடவடிக்கை "
          "கோருகிறோம் ஆதரவு அறிக்கை பிரச்சாரம் போராட்டம் சுகாதாரம் வீட்டுவசதி சமத்துவம் "
          "சுதந்திரம் சட்டம் ஒன்றாக குரல்கள் அழைக்கிறோம் உலகம் இன்று மேலும் ஆண்டுகள் எதிராக "
          "வேண்டும் மக்கள்",
    "am": "ሠራተኞች ስደተኞች መብቶች ደመወዝ ቤተሰቦች መንግስት ፖሊሲ አንድነት ህብረት ድርጅቶች የቤት ሥራ "
          "ማህበራት ፍትህ ክብር ማባረር ምልመላ ውሎች አሰሪዎች ጥበቃ ሴቶች ልጆች ማህበረሰቦች አገሮች እርምጃ "
          "እንጠይቃለን ድጋፍ መግለጫ ዘመቻ ትግል ጤና መኖሪያ ደህንነት እኩልነት ነፃነት ሕግ በአንድነት ድምጾች "
          "ጥሪ ዓለም ዛሬ ተጨማሪ ዓመታት ላይ አለበት ሕዝብ",
    "th": "แรงงาน ข้ามชาติ สิทธิ ค่าจ้าง ครอบครัว รัฐบาล นโยบาย ความสามัคคี พันธมิตร องค์กร "
          "งานบ้าน การทำงาน สหภาพ ความยุติธรรม ศักดิ์ศรี การเนรเทศ การจัดหางาน สัญญา นายจ้าง "
          "การคุ้มครอง ผู้หญิง เด็ก ชุมชน ประเทศ การเคลื่อนไหว เรียกร้อง สนับสนุน แถลงการณ์ "
          "รณรงค์ การต่อสู้ สุขภาพ ที่อยู่อาศัย ความปลอดภัย ความเท่าเทียม เสรีภาพ กฎหมาย "
          "ร่วมกัน เสียง โลก วันนี้ มากขึ้น ปี ต่อต้าน ต้อง ประชาชน",
    "ko": "노동자 이주 권리 임금 가족 정부 정책 연대 동맹 단체 가사 노동 노조 정의 존엄 추방 "
          "모집 계약 고용주 보호 여성 아동 공동체 나라 행동 요구합니다 지지 성명 캠페인 투쟁 "
          "건강 주거 안전 평등 자유 법 함께 목소리 촉구합니다 세계 오늘 더 년 반대 해야 민중",
    "ja": "労働者 移住 権利 賃金 家族 政府 政策 連帯 同盟 団体 家事 労働 組合 正義 尊厳 "
          "強制送還 募集 契約 雇用主 保護 女性 子ども 地域 国々 行動 要求 支援 声明 "
          "キャンペーン 闘い 健康 住まい 安全 平等 自由 法律 共に 声 呼びかけ 世界 今日 "
          "さらに 反対 必要 人々",
    "zh": "工人 移民 权利 工资 家庭 政府 政策 团结 联盟 组织 家务 劳动 工会 正义 尊严 驱逐 "
          "招聘 合同 雇主 保护 妇女 儿童 社区 国家 行动 要求 支持 声明 运动 斗争 健康 住房 "
          "安全 平等 自由 法律 体面 一起 声音 呼吁 世界 今天 更多 反对 必须 人民 我们",
}
WORD_LIST = {"pt-BR": "pt", "zh-Hans": "zh"}
# How sentences are written: (word separator, clause mark, full stop, sentence separator).
SPACED = (" ", ",", ".", " ")
STYLES = {
    "ar": (" ", "،", ".", " "), "ur": (" ", "،", "۔", " "), "fa": (" ", "،", ".", " "),
    "hi": (" ", ",", "।", " "), "ne": (" ", ",", "।", " "), "bn": (" ", ",", "।", " "),
    "am": (" ", "፣", "።", " "), "th": ("", " ", "", " "), "zh": ("", "，", "。", ""),
    "ja": ("の", "、", "。", ""), "ko": (" ", ",", ".", " "),
}
UNCASED = {"ar", "ur", "fa", "he", "hi", "ne", "bn", "ta", "am", "th", "zh", "ja", "ko"}
SLUG_WORDS = ("migrant workers rights wages solidarity deportations recruitment fees domestic "
              "labour justice dignity housing health women borders climate displacement "
              "campaign action day statement alliance unions care farm seafarers").split()
FIRST_NAMES = ("Amina Carmen Rosa Tomas Ana Joy Maria Siti Nur Fatima Leila Omar Chen Mei "
               "Hiroshi Yuki Priya Ravi Anjali Bisi Kwame Aisha Juan Lucia Pedro Ines Olga "
               "Ivan Nadia Elif Mehmet Thu Minh Jae Soo Lea Noah Eitan Dara Sofia").split()
LAST_NAMES = ("Santos Reyes Garcia Dubois Haddad Rahman Wijaya Silva Tanaka Kim Nguyen Patel "
              "Sharma Mensah Okafor Cohen Levi Kowalski Popescu Jansen Petrova Demir Yilmaz "
              "Papadopoulos Hossain Ahmed Karimi Tesfaye Mwangi Chowdhury Perera Ito").split()
ZONES = {"fil": "Asia/Manila", "id": "Asia/Jakarta", "es": "Europe/Madrid",
         "fr": "Europe/Paris", "ar": "Asia/Beirut", "pt-BR": "America/Sao_Paulo",
         "zh-Hans": "Asia/Hong_Kong", "hi": "Asia/Kolkata", "ja": "Asia/Tokyo",
         "ko": "Asia/Seoul", "ru": "Europe/Moscow", "sw": "Africa/Nairobi"}
ORGANIZATIONS = [
    ("Samahan ng Manggagawang Migrante", "PH", ["fil", "en"]),
    ("Red de Trabajadoras del Hogar Migrantes", "ES", ["es"]),
    ("Collectif des Travailleurs Sans Papiers", "FR", ["fr", "ar"]),
    ("Serikat Buruh Migran Nusantara", "ID", ["id"]),
    ("Rede de Apoio ao Migrante", "BR", ["pt-BR"]),
    ("Migrant Workers Solidarity Network", "HK", ["en", "fil", "id", "zh-Hans"]),
    ("Migrant Domestic Workers Alliance", "LB", ["ar", "en", "am", "bn"]),
    ("Kababayan Workers Centre", "CA", ["en", "fil", "fr"]),
    ("Coordinadora de Migrantes", "MX", ["es"]),
    ("Göçmen Dayanışma Ağı", "TR", ["tr", "ar", "fa"]),
    ("South Asian Migrant Forum", "IN", ["hi", "bn", "ne", "ur", "ta", "en"]),
    ("Migrantenrat Berlin", "DE", ["de", "tr", "ar", "uk", "ru"]),
]


# --- text ---------------------------------------------------------------------------------

class Writer:
    """Sentences, paragraphs and titles in one language, from a pool made once."""

    def __init__(self, tag: str, rng: random.Random, pool_size: int = 1500):
        self.tag = tag
        words = WORDS[WORD_LIST.get(tag, tag)].split()
        self.separator, self.comma, self.stop, self.between = \
            STYLES.get(WORD_LIST.get(tag, tag), SPACED)
        self.cased = WORD_LIST.get(tag, tag) not in UNCASED
        self.rng = rng
        self.words = words
        self.sentences = [self._sentence(rng.randint(6, 16), decorate=index % 5 == 0)
                          for index in range(pool_size)]
        self.plain = [self._sentence(rng.randint(4, 10), decorate=False)
                      for _ in range(pool_size // 3)]
        # Translations pick whole paragraphs from pools: ten times faster than writing each.
        self.paragraphs = [self.sentences_of(rng.randint(3, 6)) for _ in range(pool_size * 2)]
        self.summaries = [self.sentences_of(2) for _ in range(pool_size // 2)]
        self.headings = [self.heading() for _ in range(pool_size // 5)]
        self.titles = [self.title() for _ in range(pool_size // 2)]

    def _sentence(self, length: int, decorate: bool) -> str:
        chosen = self.rng.choices(self.words, k=length)
        if decorate:  # emphasis or a link, as real statements have
            at = self.rng.randrange(length)
            kind = self.rng.random()
            if kind < 0.4:
                chosen[at] = f"*{chosen[at]}*"
            elif kind < 0.6:
                chosen[at] = f"**{chosen[at]}**"
            else:
                end = min(length, at + self.rng.randint(1, 3))
                path = self.rng.choice(SLUG_WORDS)
                chosen[at:end] = [f"[{self.separator.join(chosen[at:end])}]"
                                  f"(https://{BENCH_DOMAIN}/{path}/{self.rng.randint(1, 999)})"]
        if len(chosen) > 5 and self.comma and self.rng.random() < 0.5:
            cut = self.rng.randint(2, len(chosen) - 2)
            chosen[cut] += self.comma
        sentence = self.separator.join(chosen)
        if self.cased:
            sentence = sentence[0].upper() + sentence[1:]
        return sentence + self.stop

    def sentences_of(self, count: int) -> str:
        return self.between.join(self.rng.choices(self.sentences, k=count))

    def title(self) -> str:
        text = self.rng.choice(self.plain).rstrip(self.stop)
        return text.strip() if text.strip() else self.words[0]

    def heading(self) -> str:
        return self.separator.join(self.rng.choices(self.words, k=self.rng.randint(2, 4))) \
            .capitalize() if self.cased else \
            self.separator.join(self.rng.choices(self.words, k=self.rng.randint(2, 4)))

    def pooled(self, kind: SegmentKind) -> str:
        """A text for one segment of this kind, from the pools."""
        pool = self.pools[kind]
        return pool[int(self.rng.random() * len(pool))]

    @property
    def pools(self) -> dict[SegmentKind, list[str]]:
        if not hasattr(self, "_pools"):
            self._pools = {
                SegmentKind.TITLE: self.titles, SegmentKind.SUMMARY: self.summaries,
                SegmentKind.HEADING: self.headings, SegmentKind.LIST_ITEM: self.plain,
                SegmentKind.QUOTE: self.plain, SegmentKind.PARAGRAPH: self.paragraphs,
                SegmentKind.VERBATIM: self.paragraphs}
        return self._pools

    def segment(self, kind: SegmentKind) -> str:
        """A new text for one segment of this kind, about as long as a real one."""
        if kind == SegmentKind.TITLE:
            return self.title()
        if kind == SegmentKind.HEADING:
            return self.heading()
        if kind == SegmentKind.SUMMARY:
            return self.sentences_of(2)
        if kind in (SegmentKind.LIST_ITEM, SegmentKind.QUOTE):
            return self.rng.choice(self.plain)
        return self.sentences_of(self.rng.randint(3, 6))

    def body(self) -> str:
        """About eight Markdown blocks; the last is always a paragraph (a call to action)."""
        blocks = [self.segment(SegmentKind.PARAGRAPH) for _ in range(self.rng.randint(5, 7))]
        if self.rng.random() < 0.35:
            blocks.insert(2, "## " + self.heading())
        if self.rng.random() < 0.35:
            items = self.rng.randint(2, 3)
            blocks.insert(len(blocks) - 1, "\n".join(
                "- " + self.rng.choice(self.plain) for _ in range(items)))
        if self.rng.random() < 0.2:
            blocks.insert(1, "> " + self.rng.choice(self.plain))
        return "\n\n".join(blocks)


# --- the plan -----------------------------------------------------------------------------

OLD, RECENT, DRAFT, FUTURE = "old", "recent", "draft", "future"


class Part(NamedTuple):
    """A source segment as split_statement cut it, with its key computed once."""

    kind: SegmentKind
    markup: str
    text: str
    key: str

S = TranslationState
# How the work on each target language stands, by how old the statement is.
STATE_MIX = {
    OLD: [(S.PUBLISHED, 0.9), (S.QUEUED, 0.1)],
    RECENT: [(S.PUBLISHED, 0.55), (S.QUEUED, 0.17), (S.IN_PROGRESS, 0.1),
             (S.IN_REVIEW, 0.1), (S.APPROVED, 0.08)],
    DRAFT: [(S.QUEUED, 0.45), (S.IN_PROGRESS, 0.2), (S.IN_REVIEW, 0.2), (S.APPROVED, 0.15)],
    FUTURE: [(S.PUBLISHED, 0.7), (S.QUEUED, 0.15), (S.IN_REVIEW, 0.1), (S.APPROVED, 0.05)],
}


@dataclass
class Volunteers:
    """Who translates and reviews each language, and how many claims each person holds."""

    translators: dict[str, list[int]] = field(default_factory=dict)
    reviewers: dict[str, list[int]] = field(default_factory=dict)
    claims: Counter = field(default_factory=Counter)


@dataclass
class Summary:
    """What a load wrote, for the command's report."""

    statements: int = 0
    rows: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)
    seconds: float = 0.0


class ArchiveLoader:
    """Generates the archive a chunk of statements at a time and bulk-inserts each chunk."""

    def __init__(self, statements: int, languages: list[str], seed: int,
                 password_hash: str | None,
                 progress: Callable[[str], None] | None = None):
        self.count = statements
        self.languages = languages
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.progress = progress or (lambda message: None)
        self.now = utcnow().replace(second=0, microsecond=0)
        self.today = self.now.date()
        self.summary = Summary()
        self.dialect = db.session.get_bind().dialect.name
        self.first_statement_id = self._max_id(Statement) + 1
        self.ids = {table: itertools.count(self._max_id(model) + 1) for table, model in (
            ("users", User), ("organizations", Organization), ("statements", Statement),
            ("source_revisions", SourceRevision), ("source_segments", SourceSegment),
            ("translations", Translation), ("versions", Version),
            ("version_segments", VersionSegment), ("reviews", Review),
            ("draft_segments", DraftSegment), ("releases", Release),
            ("publications", Publication), ("problem_reports", ProblemReport))}
        self.writers = {tag: Writer(tag, self.rng) for tag in languages}
        weights = {tag: weight for tag, weight in SOURCE_WEIGHTS.items() if tag in languages}
        self.source_tags, self.source_weights = list(weights), list(weights.values())
        self.rows: dict[str, list[dict]] = {}
        self.statements: dict = {}
        self.rare = False
        self.first_draft = -1
        self.bench_translator = 0
        # The bench translator's languages: the first three after English.
        self.bench_languages = set([tag for tag in languages if tag != "en"][:3])

    # ids and rows

    @staticmethod
    def _max_id(model) -> int:
        return db.session.scalar(select(func.max(model.id))) or 0

    def _id(self, table: str) -> int:
        return next(self.ids[table])

    def _add(self, table: str, **row) -> dict:
        self.rows.setdefault(table, []).append(row)
        return row

    def _flush_rows(self, tables, pending: dict | None = None, connection=None) -> None:
        pending = self.rows if pending is None else pending
        executor = connection or db.session
        for name, table in tables:
            rows = pending.pop(name, [])
            whole = len(rows) - len(rows) % ROWS_PER_STATEMENT \
                if self.dialect == "postgresql" else 0
            if whole:
                statement, names = self._multirow(table, list(rows[0]))
                pages = [{name_: row[column] for index, row in enumerate(
                          rows[start:start + ROWS_PER_STATEMENT])
                          for column, name_ in zip(row, names[index], strict=True)}
                         for start in range(0, whole, ROWS_PER_STATEMENT)]
                per_batch = max(1, BATCH // ROWS_PER_STATEMENT)
                for start in range(0, len(pages), per_batch):
                    executor.execute(statement, pages[start:start + per_batch])
            for start in range(whole, len(rows), BATCH):
                executor.execute(insert(table), rows[start:start + BATCH])
            self.summary.rows[name] += len(rows)

    def _multirow(self, table, columns: list[str]):
        """INSERT … VALUES of ROWS_PER_STATEMENT rows, made and compiled once per table.

        psycopg's executemany sends a statement per row, and the server's per-statement work
        then outweighs the row's own; a statement of many rows spreads it.
        """
        key = (table.name, tuple(columns))
        if key not in self.statements:
            names = [[f"{column}_{index}" for column in columns]
                     for index in range(ROWS_PER_STATEMENT)]
            self.statements[key] = (insert(table).values([
                {column: bindparam(name, type_=table.c[column].type)
                 for column, name in zip(columns, row_names, strict=True)}
                for row_names in names]), names)
        return self.statements[key]

    # people and organizations

    def load_people(self) -> tuple[int, Volunteers]:
        """Languages, the three bench accounts, volunteers and organizations."""
        existing = {language.tag: language for language in db.session.scalars(select(Language))}
        for tag in self.languages:
            if tag not in existing:
                db.session.execute(insert(Language.__table__).values(tag=tag, enabled=True))
            elif not existing[tag].enabled:
                existing[tag].enabled = True
        targets = [tag for tag in self.languages if tag != "en"][:3]
        coordinator = self._account(COORDINATOR, "Carmen Coordinator", Role.COORDINATOR,
                                    ["en", *targets[:1]], [])
        self.bench_translator = self._account(TRANSLATOR, "Tomas Translator", Role.TRANSLATOR,
                                              targets, [])
        self._account(REVIEWER, "Rosa Reviewer", Role.REVIEWER, targets, targets)
        volunteers = Volunteers(translators={tag: [] for tag in self.languages},
                                reviewers={tag: [] for tag in self.languages})
        count = max(3 * len(self.languages) + 10, self.count // 8)
        for index in range(count):
            primary = self.languages[index % len(self.languages)]
            others = [tag for tag in self.languages if tag != primary]
            extra = self.rng.sample(others, k=min(len(others), self.rng.choice((0, 0, 1, 2))))
            reviews = (index // len(self.languages)) % 2 == 0
            user_id = self._id("users")
            self._add("users", id=user_id, email=f"volunteer{user_id}@{BENCH_DOMAIN}",
                      display_name=f"{self.rng.choice(FIRST_NAMES)} "
                                   f"{self.rng.choice(LAST_NAMES)}",
                      password_hash=None, role=Role.REVIEWER if reviews else Role.TRANSLATOR,
                      active=True, time_zone=ZONES.get(primary, "UTC"),
                      created_at=self.now - timedelta(days=self.rng.randint(30, 3000)),
                      session_generation=0)
            for tag in (primary, *extra):
                review = reviews and tag == primary
                self._add("language_skills", user_id=user_id, language_tag=tag,
                          can_translate=True, can_review=review)
                volunteers.translators[tag].append(user_id)
                if review:
                    volunteers.reviewers[tag].append(user_id)
        self._flush_rows([("users", User.__table__),
                          ("language_skills", LanguageSkill.__table__)])
        named = set(db.session.scalars(select(Organization.name)))
        for name, country, tags in ORGANIZATIONS:
            tags = [tag for tag in tags if tag in self.languages]
            if name in named or not tags:
                continue
            organization_id = self._id("organizations")
            self._add("organizations", id=organization_id, name=name, country=country,
                      contact_email=None, created_at=self.now - timedelta(days=2000))
            for tag in tags:
                self._add("organization_languages", organization_id=organization_id,
                          language_tag=tag)
        self._flush_rows([("organizations", Organization.__table__),
                          ("organization_languages", organization_languages)])
        return coordinator, volunteers

    def _account(self, email: str, name: str, role: Role, translates: list[str],
                 reviews: list[str]) -> int:
        found = db.session.scalar(select(User.id).where(User.email == email))
        if found is not None:
            return found
        user_id = self._id("users")
        db.session.execute(insert(User.__table__).values(
            id=user_id, email=email, display_name=name, password_hash=self.password_hash,
            role=role, active=True, time_zone="UTC", created_at=self.now, session_generation=0))
        if translates:
            db.session.execute(insert(LanguageSkill.__table__), [
                {"user_id": user_id, "language_tag": tag, "can_translate": True,
                 "can_review": tag in reviews} for tag in translates])
        return user_id

    # statements

    def categories(self) -> list[str]:
        """Oldest first: old released statements, recent ones, unreleased, scheduled."""
        future = max(1, self.count * 3 // 1000)
        draft = max(2, self.count // 100)
        recent = max(3, self.count // 50)
        old = max(0, self.count - future - draft - recent)
        plan = [OLD] * old + [RECENT] * recent + [DRAFT] * draft + [FUTURE] * future
        return plan[:self.count] if len(plan) > self.count else plan

    def load(self) -> Summary:
        started = time.perf_counter()
        coordinator, volunteers = self.load_people()
        plan = self.categories()
        self.first_draft = plan.index(DRAFT) if DRAFT in plan else -1
        volunteers.claims[self.bench_translator] = db.session.scalar(
            select(func.count()).select_from(Translation).where(
                Translation.claimed_by_id == self.bench_translator,
                Translation.state == S.IN_PROGRESS, Translation.claim_expires_at > self.now))
        deferred = self._defer_search_indexes()
        released = sum(1 for category in plan if category in (OLD, RECENT))
        span_days = max(120, self.count * 35 // 100)
        last_report = started
        # One chunk is written by a thread while the next is generated: the database works
        # while Python writes text. The thread borrows the session's connection (the same
        # transaction); nothing else touches it until the thread is done.
        connection = db.session.connection()
        with ThreadPoolExecutor(max_workers=1) as writer:
            writing = None
            for chunk_start in range(0, len(plan), CHUNK):
                for index in range(chunk_start, min(len(plan), chunk_start + CHUNK)):
                    self._statement(index, plan[index], released, span_days, coordinator,
                                    volunteers)
                chunk, self.rows = self.rows, {}
                if writing is not None:
                    writing.result()
                writing = writer.submit(self._write_chunk, chunk, connection)
                if time.perf_counter() - last_report > 10:
                    last_report = time.perf_counter()
                    self.progress(f"  {min(len(plan), chunk_start + CHUNK):,} of "
                                  f"{len(plan):,} statements, {last_report - started:.0f} s")
            if writing is not None:
                writing.result()
        self._reports()
        self._flush_rows([("problem_reports", ProblemReport.__table__)])
        if deferred:
            self.progress("  full-text index…")
            db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
            for definition in deferred:
                db.session.execute(text(definition))
        self.progress("  editions…")
        had_statistics = self._plan_editions_refresh(plan)
        refresh_editions()
        compact_tallies()  # the triggers wrote a row per translation: one per state now
        self._finish(had_statistics)
        self.summary.statements = len(plan)
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def _statement(self, index: int, category: str, released: int, span_days: int,
                   coordinator: int, volunteers: Volunteers) -> None:
        rng = self.rng
        if category in (OLD, RECENT):
            statement_date = self.today - timedelta(
                days=span_days - (index * span_days) // max(1, released))
            release_at = min(datetime.combine(statement_date, day_time(8), tzinfo=UTC)
                             + timedelta(minutes=rng.randint(0, 600)),
                             self.now - timedelta(minutes=rng.randint(1, 120)))
        elif category == DRAFT:
            statement_date = self.today + timedelta(days=rng.randint(0, 10))
            release_at = None
        else:
            statement_date = self.today + timedelta(days=rng.randint(1, 14))
            release_at = datetime.combine(statement_date, day_time(8), tzinfo=UTC)
        created_at = (release_at or self.now) - timedelta(days=rng.randint(3, 14),
                                                          minutes=rng.randint(0, 1440))
        created_at = min(created_at, self.now - timedelta(hours=2))
        source = rng.choices(self.source_tags, self.source_weights)[0]
        writer = self.writers[source]
        statement_id = self._id("statements")
        slug = "-".join(rng.sample(SLUG_WORDS, 3)) + f"-{statement_date.year}-{statement_id}"
        deadline = None
        if category != OLD or rng.random() < 0.5:
            deadline = datetime.combine(statement_date, day_time(0), tzinfo=UTC)
        self._add("statements", id=statement_id, slug=slug, source_language_tag=source,
                  statement_date=statement_date, deadline=deadline,
                  created_by_id=coordinator, created_at=created_at, current_revision_id=None)
        self.rare = index % 500 == 3
        summary = writer.segment(SegmentKind.SUMMARY)
        if self.rare:
            summary += writer.between + f"{RARE_WORD}{writer.stop}"
        title, body = writer.title(), writer.body()
        revision = self._revision(statement_id, 1, title, summary, body, coordinator,
                                  created_at)
        revisions = [revision]
        # The source revised after its release: the last paragraph gains a sentence.
        revised_at = None
        if category == OLD and index % 12 == 5 and release_at < self.now - timedelta(days=30):
            revised_at = release_at + timedelta(days=rng.randint(5, 25))
            revisions.append(self._revision(
                statement_id, 2, title, summary,
                body + writer.between + writer.sentences_of(1), coordinator, revised_at))
        self._add("statement_revisions", id=statement_id,
                  current_revision_id=revisions[-1]["id"])

        releases = []
        if release_at is not None:
            releases.append(self._release(statement_id, release_at, coordinator, ""))
            if revised_at is not None:
                releases.append(self._release(
                    statement_id, revised_at + timedelta(days=rng.randint(1, 4)), coordinator,
                    "Source updated."))
        withdrawn_statement = category == OLD and index % 500 == 77
        for position, release in enumerate(releases):
            revision = revisions[min(position, len(revisions) - 1)]
            self._publication(statement_id, source, release, revision, None,
                              (revision["title"], revision["summary"], revision["body"]),
                              withdrawn=withdrawn_statement)

        targets = [tag for tag in self.languages if tag != source]
        for number, tag in enumerate(targets):
            self._translation(statement_id, tag, number, index, category, revisions,
                              releases, created_at, volunteers)

    def _revision(self, statement_id, number, title, summary, body, coordinator, created_at):
        revision_id = self._id("source_revisions")
        # The app's own cut, each key hashed once.
        segments = [Part(segment.kind, segment.markup, segment.text, segment.key)
                    for segment in split_statement(title, summary, body)]
        row = self._add("source_revisions", id=revision_id, statement_id=statement_id,
                        number=number, title=title.strip(), summary=summary.strip(),
                        body=body.strip(), created_by_id=coordinator, created_at=created_at)
        for position, segment in enumerate(segments):
            self._add("source_segments", id=self._id("source_segments"),
                      revision_id=revision_id, position=position, kind=segment.kind,
                      markup=segment.markup, key=segment.key, text=segment.text)
        row["segments"] = segments  # kept for the translations; not a column
        return row

    def _release(self, statement_id, release_at, coordinator, note):
        return self._add("releases", id=self._id("releases"), statement_id=statement_id,
                         release_at=release_at, created_by_id=coordinator,
                         created_at=min(release_at, self.now) - timedelta(hours=2), note=note)

    def _publication(self, statement_id, tag, release, revision, version_id, texts,
                     withdrawn=False):
        title, summary, body = texts
        withdrawn_at = None
        if withdrawn:
            withdrawn_at = min(self.now, release["release_at"] + timedelta(days=3))
        self._add("publications", id=self._id("publications"), statement_id=statement_id,
                  language_tag=tag, release_id=release["id"],
                  source_revision_id=revision["id"], version_id=version_id, title=title,
                  summary=summary, body=body, withdrawn_at=withdrawn_at,
                  withdrawn_reason="A mistranslated paragraph; an update follows."
                  if withdrawn else None)

    def _state(self, category: str, number: int, statement_index: int) -> TranslationState:
        # The first unreleased statement has one translation in every state of the work.
        if category == DRAFT and statement_index == self.first_draft:
            order = (S.QUEUED, S.IN_PROGRESS, S.IN_REVIEW, S.APPROVED)
            return order[number % len(order)]
        states, weights = zip(*STATE_MIX[category], strict=True)
        return self.rng.choices(states, weights)[0]

    def _translation(self, statement_id, tag, number, index, category, revisions, releases,
                     created_at, volunteers: Volunteers) -> None:
        rng = self.rng
        state = self._state(category, number, index)
        current = revisions[-1]
        versions: list[tuple[dict, list[str], list[Part]]] = []  # row, texts, segments
        claimant = claim_expires = None
        withdrawn = False
        translation_id = self._id("translations")
        first_revision = revisions[0]
        updated_at = created_at

        def version(revision, texts, author, when, decision=None, reviewer=None):
            row = self._version(translation_id, len(versions) + 1, revision, texts, author,
                                when, decision, reviewer, tag, volunteers)
            versions.append((row, texts, revision["segments"]))
            return row

        if state == S.PUBLISHED:
            author = self._pick(volunteers.translators[tag])
            release = releases[0]
            when = min(release["release_at"], self.now) - timedelta(days=rng.randint(1, 3))
            texts = self._texts(tag, first_revision["segments"])
            v1 = version(first_revision, texts, author, when, ReviewDecision.APPROVED)
            withdrawn = category == OLD and number == 0 and index % 40 == 9 \
                and len(revisions) == 1
            self._publication(statement_id, tag, release, first_revision, v1["id"],
                              self._assemble(first_revision["segments"], texts),
                              withdrawn=withdrawn)
            updated_at = when
            if len(revisions) > 1:
                if number % 2 == 0:  # updated and released again with the new source
                    texts = self._texts(tag, current["segments"], texts,
                                        first_revision["segments"])
                    when = releases[1]["release_at"] - timedelta(hours=rng.randint(2, 20))
                    v2 = version(current, texts, author, when, ReviewDecision.APPROVED)
                    self._publication(statement_id, tag, releases[1], current, v2["id"],
                                      self._assemble(current["segments"], texts))
                    updated_at = when
                elif number % 7 == 3 and len(volunteers.translators[tag]) > 1:
                    state = S.IN_PROGRESS  # an update under way
                else:
                    state = S.NEEDS_UPDATE
            if withdrawn and state == S.PUBLISHED:
                state = S.APPROVED  # unpublished: approved, no longer public
        elif state in (S.IN_REVIEW, S.APPROVED) or (state == S.IN_PROGRESS
                                                    and rng.random() < 0.2):
            author = self._pick(volunteers.translators[tag])
            when = self.now - timedelta(hours=rng.randint(2, 24 * 7))
            texts = self._texts(tag, current["segments"])
            if state == S.IN_PROGRESS or (state == S.IN_REVIEW and rng.random() < 0.3):
                version(current, texts, author, when - timedelta(days=2),
                        ReviewDecision.CHANGES_REQUESTED)
                texts = self._texts(tag, current["segments"], texts, current["segments"],
                                    changed=1)
            if state != S.IN_PROGRESS:
                version(current, texts, author, when,
                        ReviewDecision.APPROVED if state == S.APPROVED else None)
            updated_at = when
            if state == S.IN_PROGRESS:
                claimant = author
        if state == S.IN_PROGRESS:
            claimant, claim_expires = self._claim(tag, claimant, volunteers)
            if claimant is None:
                state = S.QUEUED
        self.summary.states[state] += 1
        self._add("translations", id=translation_id, statement_id=statement_id,
                  language_tag=tag, state=state, claimed_by_id=claimant,
                  claim_expires_at=claim_expires, claim_reminded_at=None,
                  created_at=created_at, updated_at=max(updated_at, created_at))
        if state in (S.IN_PROGRESS, S.IN_REVIEW):
            self._drafts(translation_id, tag, current, versions, claimant, state)

    def _claim(self, tag: str, claimant: int | None, volunteers: Volunteers):
        """(claimant, expiry): the bench translator's three claims first, at most three each."""
        if claimant is None and tag in self.bench_languages \
                and volunteers.claims[self.bench_translator] < 3:
            volunteers.claims[self.bench_translator] += 1
            return self.bench_translator, self.now + timedelta(hours=48)
        if self.rng.random() < 0.15:  # ran out: still in progress, claimable by anyone
            return claimant or self._pick(volunteers.translators[tag]), \
                self.now - timedelta(hours=self.rng.randint(1, 48))
        pool = volunteers.translators[tag]
        candidates = [claimant] if claimant is not None else []
        candidates += [self._pick(pool) for _ in range(6)]
        for person in candidates:
            if volunteers.claims[person] < 3:
                volunteers.claims[person] += 1
                return person, self.now + timedelta(hours=self.rng.randint(1, 71))
        return None, None

    def _pick(self, pool: list[int]) -> int:
        return pool[self.rng.randrange(len(pool))]

    def _texts(self, tag: str, segments: list[Part], earlier: list[str] | None = None,
               earlier_segments: list[Part] | None = None, changed: int = 0) -> list[str]:
        """A translation of each segment; an update keeps the text of unchanged ones."""
        writer = self.writers[tag]
        kept = {}
        if earlier is not None:
            kept = {segment.key: text for segment, text in zip(earlier_segments, earlier,
                                                               strict=True)}
        texts = [kept.get(segment.key) or self._new_text(writer, segment.kind)
                 for segment in segments]
        for _ in range(changed):  # what the reviewer asked to change
            at = self.rng.randrange(len(texts))
            texts[at] = writer.pooled(segments[at].kind)
        return texts

    def _new_text(self, writer: Writer, kind: SegmentKind) -> str:
        text_ = writer.pooled(kind)
        if self.rare and kind == SegmentKind.SUMMARY:  # a name, the same in every language
            text_ += writer.between + f"{RARE_WORD}{writer.stop}"
        return text_

    @staticmethod
    def _assemble(segments: list[Part], texts: list[str]) -> tuple[str, str, str]:
        return join_statement([Segment(segment.kind, text, segment.markup)
                               for segment, text in zip(segments, texts, strict=True)])

    def _version(self, translation_id, number, revision, texts, author, when, decision,
                 reviewer, tag, volunteers: Volunteers) -> dict:
        version_id = self._id("versions")
        row = self._add("versions", id=version_id, translation_id=translation_id,
                        number=number, source_revision_id=revision["id"],
                        created_by_id=author, created_at=when)
        for position, (segment, text_) in enumerate(zip(revision["segments"], texts,
                                                        strict=True)):
            self._add("version_segments", id=self._id("version_segments"),
                      version_id=version_id, position=position, segment_key=segment.key,
                      text=text_)
        if decision is not None:
            pool = [person for person in volunteers.reviewers[tag] if person != author]
            if pool:
                self._add("reviews", id=self._id("reviews"), version_id=version_id,
                          reviewer_id=self._pick(pool), decision=decision,
                          comment="" if decision == ReviewDecision.APPROVED else
                          "Please keep the names of the organizations as in the source.",
                          created_at=when + timedelta(hours=self.rng.randint(1, 20)))
        return row

    def _drafts(self, translation_id, tag, revision, versions, claimant, state) -> None:
        """Work in progress: the latest version's text carried over, the rest typed so far."""
        by_key = {}
        if versions:
            _row, texts, made_from = versions[-1]
            by_key = {segment.key: text_ for segment, text_ in zip(made_from, texts,
                                                                   strict=True)}
        segments = revision["segments"]
        typed = len(segments) if state == S.IN_REVIEW else self.rng.randint(0, len(segments))
        writer = self.writers[tag]
        seen = set()
        for position, segment in enumerate(segments):
            if segment.key in seen:
                continue
            seen.add(segment.key)
            text_ = by_key.get(segment.key)
            if text_ is None and position < typed:
                text_ = writer.pooled(segment.kind)
            if text_ is None:
                continue
            self._add("draft_segments", id=self._id("draft_segments"),
                      translation_id=translation_id, segment_key=segment.key, text=text_,
                      revision=self.rng.randint(1, 4), updated_by_id=claimant,
                      updated_at=self.now - timedelta(hours=self.rng.randint(1, 60)))

    def _write_chunk(self, chunk: dict[str, list[dict]], connection) -> None:
        for row in chunk.get("source_revisions", []):
            row.pop("segments", None)
        revisions = chunk.pop("statement_revisions", [])
        self._flush_rows([
            ("statements", Statement.__table__), ("source_revisions", SourceRevision.__table__),
            ("source_segments", SourceSegment.__table__),
        ], chunk, connection)
        statements = Statement.__table__
        connection.execute(
            update(statements).where(statements.c.id == bindparam("b_id"))
            .values(current_revision_id=bindparam("b_revision")),
            [{"b_id": row["id"], "b_revision": row["current_revision_id"]}
             for row in revisions])
        publications = chunk.get("publications")
        first_publication = publications[0]["id"] if publications else None
        self._flush_rows([
            ("translations", Translation.__table__), ("versions", Version.__table__),
            ("version_segments", VersionSegment.__table__), ("reviews", Review.__table__),
            ("draft_segments", DraftSegment.__table__), ("releases", Release.__table__),
            ("publications", Publication.__table__),
        ], chunk, connection)
        if self.dialect == "sqlite" and first_publication is not None:
            # The FTS5 index the ORM's after_insert event keeps, filled in one statement.
            connection.execute(text(
                "INSERT INTO publication_search (rowid, title, summary, body) "
                "SELECT id, title, summary, body FROM publications WHERE id >= :first"),
                {"first": first_publication})

    def _reports(self) -> None:
        """Readers' problem reports on a few published translations; half resolved."""
        wanted = max(1, self.count // 100)
        rows = db.session.execute(
            select(Publication.id, Publication.statement_id, Publication.language_tag,
                   Publication.title)
            .where(Publication.version_id.is_not(None), Publication.withdrawn_at.is_(None))
            .order_by(Publication.id.desc()).limit(wanted * 20)).all()
        reviewers = dict(db.session.execute(select(LanguageSkill.language_tag,
                                                   LanguageSkill.user_id)
                                            .where(LanguageSkill.can_review)).all())
        for publication in self.rng.sample(rows, k=min(wanted, len(rows))):
            resolved = self.rng.random() < 0.5
            self._add("problem_reports", id=self._id("problem_reports"),
                      statement_id=publication.statement_id,
                      language_tag=publication.language_tag, publication_id=publication.id,
                      paragraph=publication.title,
                      message="The title uses a different word for migrants than the body.",
                      reporter_email=f"reader@{BENCH_DOMAIN}",
                      created_at=self.now - timedelta(days=self.rng.randint(1, 20)),
                      resolved_at=self.now - timedelta(hours=5) if resolved else None,
                      resolved_by_id=reviewers.get(publication.language_tag)
                      if resolved else None)

    def _defer_search_indexes(self) -> list[str]:
        """On PostgreSQL, drop the GIN index of the search vectors for a large load and
        return its definition, to build it once at the end (PostgreSQL's own advice for
        populating a database): keeping it up to date row by row costs twice as much."""
        if self.dialect != "postgresql":
            return []
        existing = db.session.scalar(select(func.count()).select_from(Statement))
        if existing > self.count:
            return []
        rows = db.session.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = 'publications' AND indexdef ILIKE '%USING gin%'")).all()
        for name, _definition in rows:
            db.session.execute(text(f'DROP INDEX "{name}"'))
        return [definition for _name, definition in rows]

    def _plan_editions_refresh(self, plan: list[str]) -> bool:
        """On SQLite, give the planner statistics of the editions before refreshing them all.

        Without them SQLite answers refresh_editions' `statement_from` subquery through
        ix_editions_listing (language_tag=?) — every edition of the source language for
        each edition, quadratic in the archive (docs/performance.md) — instead of
        ix_editions_statement. The statistics come from refreshing the first chunk alone.
        Returns whether the database had statistics before (_finish removes ours).
        """
        if self.dialect != "sqlite":
            return False
        had = db.session.scalar(text(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")) > 0
        first = self.first_statement_id
        refresh_editions(list(range(first, first + min(CHUNK, len(plan)))))
        db.session.execute(text("ANALYZE editions"))
        return had

    def _finish(self, had_statistics: bool = False) -> None:
        """Sequences past the ids given here (PostgreSQL), and fresh planner statistics.

        SQLite is left as the app keeps it: with no statistics, unless it had some before.
        """
        if self.dialect == "sqlite":
            db.session.execute(text("ANALYZE" if had_statistics else "DROP TABLE sqlite_stat1"))
        if self.dialect == "postgresql":
            for table in self.ids:
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table})) WHERE EXISTS (SELECT 1 FROM {table})"))
            db.session.execute(text("ANALYZE"))


def has_statements() -> bool:
    return db.session.scalar(select(Statement.id).limit(1)) is not None


def load_archive(statements: int, languages: int = 30, seed: int = 1,
                 password_hash: str | None = None,
                 progress: Callable[[str], None] | None = None) -> Summary:
    """Load `statements` statements in the first `languages` of LANGUAGES; the caller commits."""
    if not 2 <= languages <= len(LANGUAGES):
        raise ValueError(f"languages must be between 2 and {len(LANGUAGES)}")
    tags = [canonical_tag(tag) for tag in LANGUAGES[:languages]]
    loader = ArchiveLoader(statements, tags, seed, password_hash, progress)
    return loader.load()


@click.command("bench-data")
@click.option("--statements", type=click.IntRange(min=1), required=True,
              help="How many statements to write, e.g. 10000.")
@click.option("--languages", type=click.IntRange(2, len(LANGUAGES)), default=len(LANGUAGES),
              show_default=True, help="How many languages to enable (the first N of 30).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="The same seed writes the same texts and states.")
@click.option("--append", is_flag=True, help="Add to a database that has statements already.")
@click.option("--password-stdin", is_flag=True,
              help="Read the bench accounts' password from standard input.")
def bench_data_command(statements, languages, seed, append, password_stdin):
    """Load a realistic archive for benchmarks, in bulk (never into a real portal)."""
    if has_statements() and not append:
        raise click.ClickException(
            "The database already has statements: nothing was loaded. Use an empty database, "
            "or --append to add to this one.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 10:
            raise click.ClickException("The password must have at least 10 characters.")
    else:
        password = secrets.token_urlsafe(12)
    holder = User()
    holder.set_password(password)
    click.echo(f"Loading {statements:,} statements in {languages} languages (seed {seed})…")
    started = time.perf_counter()
    summary = load_archive(statements, languages, seed, holder.password_hash, click.echo)
    db.session.commit()
    rows = ", ".join(f"{count:,} {table}" for table, count in summary.rows.most_common())
    states = ", ".join(f"{count:,} {state.value}"
                       for state, count in summary.states.most_common())
    click.echo(f"Loaded {summary.statements:,} statements in "
               f"{time.perf_counter() - started:.1f} s: {rows}.")
    click.echo(f"Translations: {states}.")
    click.echo(f"Sign in as {COORDINATOR}, {TRANSLATOR} or {REVIEWER}"
               + ("." if password_stdin else f" with the password {password}"))
