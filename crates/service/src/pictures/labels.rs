//! The pictures' own words (legends, headings, the sentences of their descriptions) in the six
//! UN languages. The names of the registry's vocabularies (journey stages, resource kinds, the
//! fundamentals) are the reference reads' labels (`reference::label`, from `data/labels.tsv`),
//! so one translation serves both; the registry's own content (titles, organisation names) is
//! drawn as stored. The reader's language is chosen by `crate::language::choose`.

use crate::{
    language::Language,
    reference::{self, ReferenceKind},
};

/// The position of a language in each entry's texts (the order of [`Language::ALL`]).
fn index(lang: Language) -> usize {
    Language::ALL
        .iter()
        .position(|l| *l == lang)
        .unwrap_or_default()
}

/// The label of the entry `code` of a reference vocabulary in `lang` (the code itself when the
/// vocabulary has no such entry).
pub fn vocabulary(lang: Language, kind: ReferenceKind, code: &str) -> String {
    reference::label(kind, code, lang)
        .unwrap_or(code)
        .to_owned()
}

/// Each label's key and its text in ar, en, es, fr, ru, zh (the order of [`Language::ALL`]).
type Entry = (&'static str, [&'static str; 6]);

#[rustfmt::skip]
const LABELS: &[Entry] = &[
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
    // The health picture.
    ("health_title", ["صحة الشراكة", "Partnership health", "Salud de la alianza", "Santé du partenariat", "Состояние партнёрства", "伙伴关系健康状况"]),
    ("fundamentals_heading", ["الأسس الستة", "The six fundamentals", "Los seis fundamentos", "Les six fondamentaux", "Шесть основ", "六项基本要素"]),
    ("health_legend", ["النقاط: أحدث تقييم لكل شريك (1 ضعيف، 5 قوي)؛ الشريط: ما تقوله سجلات السجل", "Dots: each partner's latest rating (1 weak, 5 strong); bar: what the registry's records say", "Puntos: la última valoración de cada socio (1 débil, 5 sólido); barra: lo que dicen los registros", "Points : la dernière note de chaque partenaire (1 faible, 5 solide) ; barre : ce que disent les données du registre", "Точки: последняя оценка каждого партнёра (1 — слабо, 5 — сильно); полоса: что говорят данные реестра", "圆点：各合作伙伴的最新评分（1 弱，5 强）；条形：登记册记录显示的情况"]),
    ("mean", ["المتوسط", "mean", "media", "moyenne", "среднее", "平均"]),
    ("evidence", ["السجلات", "records", "registros", "registre", "реестр", "记录"]),
    ("disagree", ["الشركاء مختلفون", "partners disagree", "los socios discrepan", "les partenaires divergent", "партнёры расходятся", "合作伙伴意见分歧"]),
    ("not_rated", ["غير مقيَّم", "not rated", "sin valorar", "non noté", "без оценки", "未评分"]),
    ("former_partner", ["شريك سابق", "Former partner", "Antiguo socio", "Ancien partenaire", "Бывший партнёр", "前合作伙伴"]),
    ("no_assessments", [
        "لم يقيّم أي شريك الأسس بعد.",
        "No partner has assessed the fundamentals yet.",
        "Ningún socio ha evaluado aún los fundamentos.",
        "Aucun partenaire n'a encore évalué les fondamentaux.",
        "Ни один партнёр ещё не оценил основы.",
        "尚无合作伙伴评估这些基本要素。",
    ]),
    ("list_separator", ["، ", ", ", ", ", ", ", ", ", "、"]),
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
    ("health_assessed", [
        "قيّم {p} من الشركاء الأسس الستة.",
        "{p} partners assessed the six fundamentals.",
        "{p} socios evaluaron los seis fundamentos.",
        "{p} partenaires ont évalué les six fondamentaux.",
        "Партнёров, оценивших шесть основ: {p}.",
        "{p} 个合作伙伴评估了六项基本要素。",
    ]),
    ("health_weakest", [
        "أضعفها {f} (الدرجة {s} من 5).",
        "The weakest is {f} (score {s} of 5).",
        "El más débil es {f} (puntuación {s} de 5).",
        "Le plus faible est {f} (score {s} sur 5).",
        "Самая слабая основа: {f} (оценка {s} из 5).",
        "最弱的是{f}（得分 {s}/5）。",
    ]),
    ("health_disagree", [
        "يختلف الشركاء بشأن {list}.",
        "Partners disagree on {list}.",
        "Los socios discrepan sobre {list}.",
        "Les partenaires divergent sur {list}.",
        "Партнёры расходятся во мнениях: {list}.",
        "合作伙伴在以下方面意见分歧：{list}。",
    ]),
    ("health_agree", [
        "لا يختلف الشركاء بشأن أي من الأسس.",
        "Partners disagree on no fundamental.",
        "Los socios no discrepan sobre ningún fundamento.",
        "Les partenaires ne divergent sur aucun fondamental.",
        "Ни по одной основе партнёры не расходятся.",
        "合作伙伴在任何基本要素上均无分歧。",
    ]),
];

/// The label of `key` in `lang` (English when it has none there; the key itself when unknown).
pub fn label(lang: Language, key: &str) -> &str {
    LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, texts)| {
            let text = texts[index(lang)];
            if text.is_empty() { texts[1] } else { text }
        })
        .unwrap_or(key)
}

/// The sentence `key` in `lang` with each `{name}` replaced by its value.
pub fn sentence(lang: Language, key: &str, values: &[(&str, String)]) -> String {
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
    fn every_label_has_its_six_languages() {
        for (key, texts) in LABELS {
            assert!(texts.iter().all(|t| !t.is_empty()), "{key}");
        }
        assert_eq!(
            label(Language::Fr, "journey_title"),
            "Parcours du partenariat"
        );
        assert_eq!(label(Language::Fr, "unknown_key"), "unknown_key");
    }

    #[test]
    fn vocabulary_names_are_the_reference_labels() {
        assert_eq!(
            vocabulary(Language::Fr, ReferenceKind::JourneyStages, "implementing"),
            "Mise en œuvre"
        );
        assert_eq!(
            vocabulary(Language::Es, ReferenceKind::ResourceKinds, "cash"),
            "Efectivo"
        );
        assert_eq!(
            vocabulary(Language::En, ReferenceKind::Fundamentals, "value_creation"),
            "Value creation"
        );
        assert_eq!(
            vocabulary(Language::Fr, ReferenceKind::Fundamentals, "unknown"),
            "unknown"
        );
    }
}
