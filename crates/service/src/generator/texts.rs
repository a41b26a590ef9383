//! The texts of generated initiatives, in the six UN languages: half in English, a tenth in each
//! of Arabic, Chinese, French, Russian and Spanish, each from real sentence templates of its own
//! language (topics index-aligned across languages, so topic `i` means the same thing in each).
//! The search benchmark draws its query words from these texts (`bench/queries/search_words.tsv`;
//! a test below checks that every word it lists occurs here).

use rand::{Rng, rngs::StdRng};

pub use crate::language::Language;

/// A language drawn at random: English half the time, each of the others a tenth.
pub fn pick_language(rng: &mut StdRng) -> Language {
    match rng.gen_range(0..10) {
        0..=4 => Language::En,
        5 => Language::Fr,
        6 => Language::Es,
        7 => Language::Ru,
        8 => Language::Ar,
        _ => Language::Zh,
    }
}

fn phrases(language: Language) -> &'static Phrases {
    match language {
        Language::En => &EN,
        Language::Fr => &FR,
        Language::Es => &ES,
        Language::Ru => &RU,
        Language::Ar => &AR,
        Language::Zh => &ZH,
    }
}

/// How many topics each language has (the same everywhere).
pub const TOPIC_COUNT: usize = 19;
/// How many places each language has (the same everywhere).
pub const PLACE_COUNT: usize = 7;

/// One language's words and sentence templates. Templates hold `{topic}`, `{place}`,
/// `{Place}` (capitalised), `{country}` and `{n}`.
struct Phrases {
    topics: [&'static str; TOPIC_COUNT],
    places: [&'static str; PLACE_COUNT],
    title: &'static str,
    organization: &'static str,
    summaries: &'static [&'static str],
    descriptions: &'static [&'static str],
    statement: &'static str,
    recommendation: &'static str,
}

/// The texts of one generated initiative.
#[derive(Clone, Debug)]
pub struct InitiativeTexts {
    pub language: Language,
    pub title: String,
    pub summary: String,
    pub description: String,
    /// The statement and recommendation of its lesson, when it has one.
    pub statement: String,
    pub recommendation: String,
}

/// What a template is filled with.
struct Fill<'a> {
    topic: &'a str,
    place: &'a str,
    country: &'a str,
    n: usize,
}

impl Fill<'_> {
    fn apply(&self, template: &str) -> String {
        template
            .replace("{topic}", self.topic)
            .replace("{Place}", &capitalise(self.place))
            .replace("{place}", self.place)
            .replace("{country}", self.country)
            .replace("{n}", &self.n.to_string())
    }
}

/// The texts of initiative number `n` in `language`, about topic `topic` (an index below
/// [`TOPIC_COUNT`]) in `country`, with its place and sentences drawn from `rng`.
pub fn initiative(
    rng: &mut StdRng,
    language: Language,
    topic: usize,
    country: &str,
    n: usize,
) -> InitiativeTexts {
    let p = phrases(language);
    let fill = Fill {
        topic: p.topics[topic % TOPIC_COUNT],
        place: p.places[rng.gen_range(0..PLACE_COUNT)],
        country,
        n,
    };
    InitiativeTexts {
        language,
        title: fill.apply(p.title),
        summary: fill.apply(p.summaries[rng.gen_range(0..p.summaries.len())]),
        description: fill.apply(p.descriptions[rng.gen_range(0..p.descriptions.len())]),
        statement: fill.apply(p.statement),
        recommendation: fill.apply(p.recommendation),
    }
}

/// The name of organisation number `n`, in a language drawn from `rng`.
pub fn organization_name(rng: &mut StdRng, n: usize) -> String {
    let p = phrases(pick_language(rng));
    Fill {
        topic: p.topics[rng.gen_range(0..TOPIC_COUNT)],
        place: p.places[rng.gen_range(0..PLACE_COUNT)],
        country: "",
        n,
    }
    .apply(p.organization)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

const EN: Phrases = Phrases {
    topics: [
        "school connectivity",
        "telecentre",
        "e-health records",
        "mobile money",
        "farmer advisory",
        "digital skills",
        "community radio",
        "open data portal",
        "broadband backbone",
        "vouchers",
        "e-government services",
        "women's phone businesses",
        "local content",
        "cyber security",
        "telemedicine",
        "market prices by SMS",
        "coding clubs",
        "library digitisation",
        "bookkeeping for market traders",
    ],
    places: [
        "rural", "urban", "national", "regional", "district", "island", "border",
    ],
    title: "{Place} {topic} partnership {n}",
    organization: "{place} {topic} {n}",
    summaries: &[
        "A {place} {topic} initiative in {country} bringing together government, business and civil society.",
        "Schools, clinics and small businesses in {country} gain from {topic} delivered with {place} partners.",
        "The ministry and two operators in {country} share the cost of {topic} for {place} communities.",
    ],
    descriptions: &[
        "Partners pool resources for {topic}; the initiative tracks return on investment and leverage. Record {n}.",
        "Farmers, teachers and traders were trained, and vouchers paid for the first year of service. Record {n}.",
        "Telemedicine, mobile money and digital skills courses reached households that had no connection. Record {n}.",
    ],
    statement: "Aggregating demand for {topic} made providers invest",
    recommendation: "Agree roles and resources before signing; review leverage yearly.",
};

const FR: Phrases = Phrases {
    topics: [
        "connectivité des écoles",
        "télécentres",
        "dossiers médicaux électroniques",
        "paiement mobile",
        "conseil agricole",
        "compétences numériques",
        "radio communautaire",
        "portail de données ouvertes",
        "réseau dorsal haut débit",
        "bons de connexion",
        "services d'administration en ligne",
        "commerces téléphoniques des femmes",
        "contenus locaux",
        "cybersécurité",
        "télémédecine",
        "prix des marchés par SMS",
        "clubs de programmation",
        "numérisation des bibliothèques",
        "comptabilité des commerçants",
    ],
    places: [
        "en zone rurale",
        "en ville",
        "à l'échelle nationale",
        "à l'échelle régionale",
        "dans les districts",
        "dans les îles",
        "dans les régions frontalières",
    ],
    title: "Partenariat {topic} {place} {n}",
    organization: "Réseau {topic} {place} {n}",
    summaries: &[
        "Une initiative de {topic} {place} ({country}) qui réunit l'État, les entreprises et la société civile.",
        "Les écoles, les centres de santé et les petites entreprises profitent de {topic} grâce à des partenaires locaux.",
        "Le ministère et deux opérateurs partagent le coût de {topic} pour les communautés.",
    ],
    descriptions: &[
        "Les partenaires mettent en commun leurs ressources pour {topic} ; l'initiative suit le retour sur investissement. Fiche {n}.",
        "Les agriculteurs, les enseignants et les commerçants ont été formés, et des bons ont payé la première année de service. Fiche {n}.",
        "La télémédecine, le paiement mobile et les formations au numérique ont atteint des ménages sans connexion. Fiche {n}.",
    ],
    statement: "Regrouper la demande ({topic}) a poussé les fournisseurs à investir.",
    recommendation: "Convenir des rôles et des ressources avant la signature ; revoir l'effet de levier chaque année.",
};

const ES: Phrases = Phrases {
    topics: [
        "conectividad escolar",
        "telecentros",
        "historias clínicas electrónicas",
        "dinero móvil",
        "asesoría agrícola",
        "habilidades digitales",
        "radio comunitaria",
        "portal de datos abiertos",
        "red troncal de banda ancha",
        "vales de conectividad",
        "servicios de gobierno electrónico",
        "negocios telefónicos de mujeres",
        "contenidos locales",
        "ciberseguridad",
        "telemedicina",
        "precios de mercado por SMS",
        "clubes de programación",
        "digitalización de bibliotecas",
        "contabilidad para comerciantes",
    ],
    places: [
        "en zonas rurales",
        "en las ciudades",
        "a escala nacional",
        "a escala regional",
        "en los distritos",
        "en las islas",
        "en zonas fronterizas",
    ],
    title: "Alianza de {topic} {place} {n}",
    organization: "Red de {topic} {place} {n}",
    summaries: &[
        "Una iniciativa de {topic} {place} ({country}) que reúne al gobierno, las empresas y la sociedad civil.",
        "Escuelas, centros de salud y pequeñas empresas se benefician de {topic} con socios locales.",
        "El ministerio y dos operadores comparten el costo de {topic} para las comunidades.",
    ],
    descriptions: &[
        "Los socios ponen en común recursos para {topic}; la iniciativa mide el retorno de la inversión. Registro {n}.",
        "Se capacitó a agricultores, docentes y comerciantes, y unos vales pagaron el primer año de servicio. Registro {n}.",
        "La telemedicina, el dinero móvil y los cursos de habilidades digitales llegaron a hogares sin conexión. Registro {n}.",
    ],
    statement: "Agrupar la demanda ({topic}) llevó a los proveedores a invertir.",
    recommendation: "Acordar funciones y recursos antes de firmar; revisar el apalancamiento cada año.",
};

const RU: Phrases = Phrases {
    topics: [
        "подключение школ",
        "телецентры",
        "электронные медицинские карты",
        "мобильные платежи",
        "консультации для фермеров",
        "цифровые навыки",
        "общинное радио",
        "портал открытых данных",
        "магистральная широкополосная сеть",
        "ваучеры на интернет",
        "электронные государственные услуги",
        "телефонный бизнес женщин",
        "местный контент",
        "кибербезопасность",
        "телемедицина",
        "рыночные цены по SMS",
        "клубы программирования",
        "оцифровка библиотек",
        "бухгалтерия для торговцев",
    ],
    places: [
        "в сельских районах",
        "в городах",
        "по всей стране",
        "в регионе",
        "в округах",
        "на островах",
        "в приграничных районах",
    ],
    title: "Партнёрство «{topic}» {place} {n}",
    organization: "Сеть «{topic}» {place} {n}",
    summaries: &[
        "Инициатива «{topic}» {place} ({country}) объединяет государство, бизнес и гражданское общество.",
        "Школы, больницы и малый бизнес получают пользу от проекта «{topic}» вместе с местными партнёрами.",
        "Министерство и два оператора делят расходы на проект «{topic}» для местных сообществ.",
    ],
    descriptions: &[
        "Партнёры объединяют ресурсы для проекта «{topic}»; инициатива отслеживает отдачу от инвестиций. Запись {n}.",
        "Фермеры, учителя и торговцы прошли обучение, а ваучеры оплатили первый год услуг. Запись {n}.",
        "Телемедицина, мобильные платежи и курсы цифровых навыков дошли до семей без подключения. Запись {n}.",
    ],
    statement: "Объединение спроса («{topic}») побудило поставщиков инвестировать.",
    recommendation: "Договоритесь о ролях и ресурсах до подписания; пересматривайте эффект рычага ежегодно.",
};

const AR: Phrases = Phrases {
    topics: [
        "ربط المدارس",
        "المراكز المجتمعية للاتصالات",
        "السجلات الصحية الإلكترونية",
        "الدفع عبر الهاتف المحمول",
        "الإرشاد الزراعي",
        "المهارات الرقمية",
        "الإذاعة المجتمعية",
        "بوابة البيانات المفتوحة",
        "شبكة النطاق العريض",
        "قسائم الإنترنت",
        "خدمات الحكومة الإلكترونية",
        "مشاريع الهاتف للنساء",
        "المحتوى المحلي",
        "الأمن السيبراني",
        "التطبيب عن بعد",
        "أسعار السوق عبر الرسائل القصيرة",
        "نوادي البرمجة",
        "رقمنة المكتبات",
        "المحاسبة للتجار",
    ],
    places: [
        "في الريف",
        "في المدن",
        "على المستوى الوطني",
        "على المستوى الإقليمي",
        "في المقاطعات",
        "في الجزر",
        "في المناطق الحدودية",
    ],
    title: "شراكة {topic} {place} {n}",
    organization: "شبكة {topic} {place} {n}",
    summaries: &[
        "مبادرة {topic} {place} ({country}) تجمع الحكومة وقطاع الأعمال والمجتمع المدني.",
        "تستفيد المدارس والعيادات والمشاريع الصغيرة من {topic} مع شركاء محليين.",
        "تتقاسم الوزارة ومشغلان تكلفة {topic} لصالح المجتمعات المحلية.",
    ],
    descriptions: &[
        "يجمع الشركاء مواردهم من أجل {topic}، وتتابع المبادرة العائد على الاستثمار. السجل {n}.",
        "تلقى المزارعون والمعلمون والتجار تدريبا، ودفعت القسائم تكلفة السنة الأولى من الخدمة. السجل {n}.",
        "وصل التطبيب عن بعد والدفع عبر الهاتف المحمول ودورات المهارات الرقمية إلى أسر بلا اتصال. السجل {n}.",
    ],
    statement: "دفع تجميع الطلب على {topic} مقدمي الخدمات إلى الاستثمار.",
    recommendation: "اتفقوا على الأدوار والموارد قبل التوقيع، وراجعوا أثر الرافعة كل عام.",
};

const ZH: Phrases = Phrases {
    topics: [
        "学校联网",
        "电信中心",
        "电子健康档案",
        "移动支付",
        "农业咨询",
        "数字技能",
        "社区广播",
        "开放数据平台",
        "宽带骨干网",
        "上网券",
        "电子政务服务",
        "妇女手机创业",
        "本地内容",
        "网络安全",
        "远程医疗",
        "短信市场价格",
        "编程俱乐部",
        "图书馆数字化",
        "商户记账",
    ],
    places: ["农村", "城市", "全国", "区域", "县级", "海岛", "边境"],
    title: "{place}{topic}伙伴关系 {n}",
    organization: "{place}{topic}联盟 {n}",
    summaries: &[
        "{place}{topic}项目（{country}）汇集了政府、企业和民间社会。",
        "学校、诊所和小企业在本地伙伴的支持下受益于{topic}。",
        "主管部门和两家运营商共同承担{topic}的费用，服务当地社区。",
    ],
    descriptions: &[
        "各方为{topic}汇集资源，并跟踪投资回报。记录 {n}。",
        "农民、教师和商户接受了培训，上网券支付了第一年的服务费用。记录 {n}。",
        "远程医疗、移动支付和数字技能课程覆盖了没有网络的家庭。记录 {n}。",
    ],
    statement: "集中{topic}的需求促使供应商投资。",
    recommendation: "签约前明确角色和资源；每年评估杠杆效应。",
};

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    /// Every text the generator can write in `language`, lower-cased, in one string.
    fn corpus(language: Language) -> String {
        let p = phrases(language);
        let mut all: Vec<&str> = p.topics.to_vec();
        all.extend(p.places);
        all.extend([p.title, p.organization, p.statement, p.recommendation]);
        all.extend(p.summaries);
        all.extend(p.descriptions);
        all.join("\n").to_lowercase()
    }

    #[test]
    fn the_language_mix_is_half_english_and_a_tenth_each_other() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut counts = [0usize; 6];
        for _ in 0..10_000 {
            let l = pick_language(&mut rng);
            counts[Language::ALL.iter().position(|x| *x == l).unwrap_or(0)] += 1;
        }
        for (l, c) in Language::ALL.iter().zip(counts) {
            let expected = if *l == Language::En {
                4_700..5_300
            } else {
                800..1_200
            };
            assert!(expected.contains(&c), "{l:?}: {counts:?}");
        }
    }

    #[test]
    fn texts_are_deterministic_by_seed_and_filled() {
        let texts = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            Language::ALL
                .iter()
                .map(|l| initiative(&mut rng, *l, 3, "KE", 42))
                .map(|t| format!("{}|{}|{}", t.title, t.summary, t.description))
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(9), texts(9));
        for t in texts(9) {
            assert!(!t.contains('{'), "a placeholder left: {t}");
            assert!(t.contains("42"), "the record's number: {t}");
        }
    }

    /// A generated record is detected as the language it is written in (search analyses a
    /// record that declares no language in the detected one) from its title, summary and
    /// description together. A title alone is too short to tell for most languages: the test
    /// prints how often it is detected, for whoever analyses fields one by one.
    #[test]
    fn generated_texts_are_detected_as_their_language() {
        let mut rng = StdRng::seed_from_u64(5);
        for language in Language::ALL {
            let (mut whole, mut titles) = (0, 0);
            for n in 0..200 {
                let t = initiative(&mut rng, language, n % TOPIC_COUNT, "KE", n);
                let text = format!("{}\n{}\n{}", t.title, t.summary, t.description);
                if crate::language::detect(&text) == Some(language) {
                    whole += 1;
                } else {
                    eprintln!(
                        "{language:?} detected as {:?}: {text}",
                        crate::language::detect(&text)
                    );
                }
                titles += usize::from(crate::language::detect(&t.title) == Some(language));
            }
            assert_eq!(whole, 200, "{language:?}: {whole}/200 records detected");
            println!("{language:?}: {titles}/200 titles alone detected");
        }
    }

    /// The search benchmark's vocabulary (`bench/queries/search_words.tsv`, `lang<TAB>word`)
    /// holds only words the generator writes in that language, so its queries find records.
    #[test]
    fn the_bench_vocabulary_occurs_in_the_generated_texts() {
        let vocabulary = include_str!("../../../../bench/queries/search_words.tsv");
        let mut per_language = [0usize; 6];
        for line in vocabulary
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (tag, word) = line.split_once('\t').unwrap_or(("", line));
            let Some(i) = Language::ALL.iter().position(|l| l.tag() == tag) else {
                panic!("unknown language in {line:?}");
            };
            per_language[i] += 1;
            assert!(
                corpus(Language::ALL[i]).contains(&word.to_lowercase()),
                "{word:?} is never written in {tag}"
            );
        }
        assert!(per_language.iter().all(|n| *n >= 10), "{per_language:?}");
    }
}
