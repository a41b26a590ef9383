//! The fixed labels of the pictures (stage names, resource kinds, legends, headings, the
//! sentences of their descriptions) in the six UN languages. The registry's own content (titles,
//! organisation names) is drawn as stored. A label missing here falls back to English.

/// A language the pictures are drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    Ar,
    #[default]
    En,
    Es,
    Fr,
    Ru,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 6] = [Lang::Ar, Lang::En, Lang::Es, Lang::Fr, Lang::Ru, Lang::Zh];

    /// The BCP 47 code (`Content-Language`, `xml:lang`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::Ru => "ru",
            Lang::Zh => "zh",
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Lang::Ar
    }

    /// The language of a tag (`fr`, `fr-CA`, `zh-Hans`...), by its primary subtag.
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The reader's language: `lang=` when it names one of the six, else the best of
    /// `Accept-Language` (by its q-values) that is one of them, else English.
    pub fn negotiate(param: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = param.and_then(Lang::of_tag) {
            return lang;
        }
        let mut best: Option<(f32, Lang)> = None;
        for item in accept_language.unwrap_or_default().split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::of_tag) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    fn index(self) -> usize {
        match self {
            Lang::Ar => 0,
            Lang::En => 1,
            Lang::Es => 2,
            Lang::Fr => 3,
            Lang::Ru => 4,
            Lang::Zh => 5,
        }
    }
}

/// Each label's key and its text in ar, en, es, fr, ru, zh (the order of [`Lang::ALL`]).
type Entry = (&'static str, [&'static str; 6]);

#[rustfmt::skip]
const LABELS: &[Entry] = &[
    // The partnership development journey.
    ("understand_context", ["فهم السياق", "Understand the context", "Comprender el contexto", "Comprendre le contexte", "Понять контекст", "了解背景"]),
    ("agree_vision", ["الاتفاق على رؤية", "Agree a vision", "Acordar una visión", "Convenir d'une vision", "Согласовать видение", "商定愿景"]),
    ("agree_purpose", ["الاتفاق على غاية مشتركة", "Agree a common purpose", "Acordar un propósito común", "Convenir d'un objectif commun", "Согласовать общую цель", "商定共同目的"]),
    ("agree_objectives", ["الاتفاق على الأهداف والأنشطة", "Agree objectives and activities", "Acordar objetivos y actividades", "Convenir des objectifs et des activités", "Согласовать задачи и мероприятия", "商定目标和活动"]),
    ("agree_resources", ["الاتفاق على الموارد والأدوار", "Agree resources and roles", "Acordar recursos y funciones", "Convenir des ressources et des rôles", "Согласовать ресурсы и роли", "商定资源和职责"]),
    ("structure", ["هيكلة الشراكة", "Structure the partnership", "Estructurar la alianza", "Structurer le partenariat", "Структурировать партнёрство", "构建伙伴关系"]),
    ("sign_agreement", ["توقيع الاتفاق", "Sign the agreement", "Firmar el acuerdo", "Signer l'accord", "Подписать соглашение", "签署协议"]),
    ("implementing", ["التنفيذ", "Implementing", "Ejecución", "Mise en œuvre", "Реализация", "实施"]),
    ("reviewing", ["المراجعة", "Reviewing", "Revisión", "Examen", "Оценка", "审查"]),
    ("sustaining", ["الاستدامة", "Sustaining", "Sostenimiento", "Pérennisation", "Поддержание", "持续"]),
    ("closed", ["مغلقة", "Closed", "Cerrada", "Clôturé", "Завершено", "已结束"]),
    ("discontinued", ["متوقفة", "Discontinued", "Interrumpida", "Abandonné", "Прекращено", "已中止"]),
    // Resource kinds.
    ("cash", ["أموال", "Cash", "Fondos", "Fonds", "Денежные средства", "资金"]),
    ("hardware", ["أجهزة", "Hardware", "Equipos", "Matériel", "Оборудование", "硬件"]),
    ("software", ["برمجيات", "Software", "Software", "Logiciels", "Программное обеспечение", "软件"]),
    ("connectivity", ["الاتصال بالشبكة", "Connectivity", "Conectividad", "Connectivité", "Подключение к сети", "网络连接"]),
    ("venue", ["أماكن", "Venue", "Locales", "Locaux", "Помещения", "场地"]),
    ("expertise", ["خبرة", "Expertise", "Conocimientos especializados", "Expertise", "Экспертные знания", "专业知识"]),
    ("staff_time", ["وقت الموظفين", "Staff time", "Tiempo del personal", "Temps du personnel", "Время сотрудников", "人员时间"]),
    ("data", ["بيانات", "Data", "Datos", "Données", "Данные", "数据"]),
    ("training", ["تدريب", "Training", "Capacitación", "Formation", "Обучение", "培训"]),
    ("mentoring", ["إرشاد", "Mentoring", "Mentoría", "Mentorat", "Наставничество", "辅导"]),
    ("scholarships", ["منح دراسية", "Scholarships", "Becas", "Bourses", "Стипендии", "奖学金"]),
    ("utilities", ["المرافق", "Utilities", "Servicios básicos", "Services collectifs", "Коммунальные услуги", "公用设施"]),
    ("other_in_kind", ["مساهمات عينية أخرى", "Other in-kind", "Otro en especie", "Autre en nature", "Прочее в натуральной форме", "其他实物"]),
    // Headings.
    ("journey_title", ["مسار الشراكة", "Partnership journey", "Trayectoria de la alianza", "Parcours du partenariat", "Путь партнёрства", "伙伴关系历程"]),
    ("contributions_title", ["المساهمات", "Contributions", "Contribuciones", "Contributions", "Вклады", "贡献"]),
    ("by_kind", ["حسب نوع المورد", "By resource kind", "Por tipo de recurso", "Par type de ressource", "По видам ресурсов", "按资源类型"]),
    ("by_partner", ["حسب الشريك", "By partner", "Por socio", "Par partenaire", "По партнёрам", "按合作伙伴"]),
    ("not_valued", ["غير مقيَّمة", "not valued", "sin valorar", "non évaluées", "без оценки", "未估值"]),
    ("map_title", ["النماذج الرائدة للقمة العالمية لمجتمع المعلومات حسب البلد", "WSIS showcase by country", "Iniciativas modelo de la CMSI por país", "Vitrines du SMSI par pays", "Образцовые проекты ВВУИО по странам", "信息社会世界峰会示范项目（按国家）"]),
    // The states of a country on the showcase map.
    ("designated", ["مبادرة نموذجية معيَّنة", "Designated showcase", "Iniciativa modelo designada", "Vitrine désignée", "Назначенный образцовый проект", "已指定示范项目"]),
    ("eligible", ["مبادرة مؤهلة", "Eligible initiative", "Iniciativa que cumple los criterios", "Initiative admissible", "Инициатива, отвечающая критериям", "符合条件的倡议"]),
    ("initiatives", ["مبادرات غير مؤهلة", "Initiatives, none eligible", "Iniciativas, ninguna cumple los criterios", "Initiatives, aucune admissible", "Инициативы, ни одна не отвечает критериям", "有倡议，但均不符合条件"]),
    ("none", ["لا توجد مبادرات", "No initiative", "Ninguna iniciativa", "Aucune initiative", "Нет инициатив", "无倡议"]),
    // Sentences of the descriptions: `{name}` is replaced.
    ("journey_desc", [
        "{n} من تغييرات المرحلة من {from} إلى {to}؛ المرحلة الحالية: {stage}.",
        "{n} stage changes from {from} to {to}; current stage: {stage}.",
        "{n} cambios de etapa del {from} al {to}; etapa actual: {stage}.",
        "{n} changements d'étape du {from} au {to} ; étape actuelle : {stage}.",
        "Смен этапа: {n}, с {from} по {to}; текущий этап: {stage}.",
        "从 {from} 到 {to} 共 {n} 次阶段变更；当前阶段：{stage}。",
    ]),
    ("contributions_desc", [
        "{n} من المساهمات من {k} من أنواع الموارد قدّمها {p} من الشركاء.",
        "{n} contributions of {k} resource kinds from {p} partners.",
        "{n} contribuciones de {k} tipos de recursos de {p} socios.",
        "{n} contributions de {k} types de ressources provenant de {p} partenaires.",
        "Вкладов: {n}; видов ресурсов: {k}; партнёров: {p}.",
        "{p} 个合作伙伴的 {n} 项贡献，涉及 {k} 种资源类型。",
    ]),
    ("map_desc", [
        "{d} من البلدان لديها مبادرة نموذجية معيَّنة، و{e} لديها مبادرة مؤهلة، و{i} لديها مبادرات دون أي مبادرة مؤهلة.",
        "{d} countries with a designated showcase, {e} with an eligible initiative, {i} with initiatives but none eligible.",
        "{d} países con una iniciativa modelo designada, {e} con una iniciativa que cumple los criterios, {i} con iniciativas pero ninguna cumple los criterios.",
        "{d} pays avec une vitrine désignée, {e} avec une initiative admissible, {i} avec des initiatives mais aucune admissible.",
        "Стран с назначенным образцовым проектом: {d}; с инициативой, отвечающей критериям: {e}; с инициативами, но без отвечающих критериям: {i}.",
        "{d} 个国家有已指定的示范项目，{e} 个国家有符合条件的倡议，{i} 个国家有倡议但均不符合条件。",
    ]),
];

/// The label of `key` in `lang` (English when it has none there; the key itself when unknown).
pub fn label(lang: Lang, key: &str) -> &str {
    LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, texts)| {
            let text = texts[lang.index()];
            if text.is_empty() { texts[1] } else { text }
        })
        .unwrap_or(key)
}

/// The sentence `key` in `lang` with each `{name}` replaced by its value.
pub fn sentence(lang: Lang, key: &str, values: &[(&str, String)]) -> String {
    let mut out = label(lang, key).to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_wins_then_the_best_accepted_language() {
        assert_eq!(Lang::negotiate(Some("fr"), Some("es")), Lang::Fr);
        assert_eq!(
            Lang::negotiate(Some("de"), Some("de, es;q=0.5, ru;q=0.8")),
            Lang::Ru
        );
        assert_eq!(Lang::negotiate(None, Some("zh-Hans-CN")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, Some("de, ar;q=0")), Lang::En);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }

    #[test]
    fn every_label_has_its_six_languages() {
        for (key, texts) in LABELS {
            assert!(texts.iter().all(|t| !t.is_empty()), "{key}");
        }
        assert_eq!(label(Lang::Fr, "implementing"), "Mise en œuvre");
        assert_eq!(label(Lang::Fr, "unknown_key"), "unknown_key");
    }
}
