//! A small SVG writer: every attribute value and every text goes through one escaping function,
//! so a title holding `<script>` is drawn as text. The picture is accessible: `role="img"`,
//! `aria-labelledby` naming its `<title>` and `<desc>`, `xml:lang` of the reader's language, and
//! `direction="rtl"` on the text of a right-to-left language.

use std::fmt::Write as _;

use crate::language::Language;

/// `text` made safe for XML text and attribute values: `&`, `<`, `>`, `"` and `'` as entities,
/// and the characters XML 1.0 does not allow (C0 controls but tab and newlines, lone surrogates
/// cannot occur in a `str`, U+FFFE and U+FFFF) dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A number as SVG coordinates take it: one decimal place, no `-0`.
pub fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 || !rounded.is_finite() {
        return "0".to_owned();
    }
    let text = format!("{rounded:.1}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// The body of a picture being drawn; [`Svg::finish`] wraps it in the `<svg>` element.
pub struct Svg {
    body: String,
    lang: Language,
}

impl Svg {
    pub fn new(lang: Language) -> Self {
        Self {
            body: String::new(),
            lang,
        }
    }

    pub fn lang(&self) -> Language {
        self.lang
    }

    fn attrs(&mut self, attrs: &[(&str, &str)]) {
        for (name, value) in attrs {
            let _ = write!(self.body, " {name}=\"{}\"", escape(value));
        }
    }

    /// `<tag attrs>`, to be closed with [`Svg::close`].
    pub fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.body.push('<');
        self.body.push_str(tag);
        self.attrs(attrs);
        self.body.push('>');
    }

    pub fn close(&mut self, tag: &str) {
        let _ = write!(self.body, "</{tag}>");
    }

    /// An empty element: `<tag attrs/>`.
    pub fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.body.push('<');
        self.body.push_str(tag);
        self.attrs(attrs);
        self.body.push_str("/>");
    }

    /// A `<title>` (the tooltip and accessible name of the element it is in).
    pub fn title(&mut self, text: &str) {
        let _ = write!(self.body, "<title>{}</title>", escape(text));
    }

    /// A `<text>` in the reader's language. Right-to-left text (Arabic) is `direction="rtl"`
    /// with its anchor swapped (`start` is then its right end), so it covers the same place as
    /// left-to-right text at the same `x` would.
    pub fn text(&mut self, x: f64, y: f64, attrs: &[(&str, &str)], content: &str) {
        let (x, y) = (num(x), num(y));
        let mut all: Vec<(&str, &str)> = vec![("x", &x), ("y", &y)];
        if self.lang.is_rtl() {
            let anchor = attrs
                .iter()
                .find(|(name, _)| *name == "text-anchor")
                .map(|(_, value)| *value)
                .unwrap_or("start");
            all.extend(
                attrs
                    .iter()
                    .copied()
                    .filter(|(name, _)| *name != "text-anchor"),
            );
            all.push((
                "text-anchor",
                match anchor {
                    "start" => "end",
                    "end" => "start",
                    other => other,
                },
            ));
            all.push(("direction", "rtl"));
            all.push(("xml:lang", self.lang.tag()));
        } else {
            all.extend_from_slice(attrs);
        }
        self.open("text", &all);
        self.body.push_str(&escape(content));
        self.close("text");
    }

    /// The whole picture: `<svg>` with its accessible `<title>` and `<desc>` (ids prefixed by
    /// `id`, so several pictures can sit in one page), then the body.
    pub fn finish(self, id: &str, width: f64, height: f64, title: &str, desc: &str) -> String {
        let (w, h) = (num(width), num(height));
        let mut out = String::with_capacity(self.body.len() + 512);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
             xml:lang=\"{lang}\" font-family=\"sans-serif\" font-size=\"12\">\
             <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
            id = escape(id),
            lang = self.lang.tag(),
            title = escape(title),
            desc = escape(desc),
        );
        out.push_str(&self.body);
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_refuses() {
        assert_eq!(
            escape("<script>a & 'b' \"c\"</script>\u{1}"),
            "&lt;script&gt;a &amp; &apos;b&apos; &quot;c&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn numbers_have_one_decimal_at_most() {
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-0.01), "0");
    }
}

#[cfg(test)]
mod rtl_tests {
    use super::*;

    #[test]
    fn right_to_left_text_swaps_its_anchor() {
        let mut svg = Svg::new(Language::Ar);
        svg.text(10.0, 20.0, &[("class", "label")], "التنفيذ");
        svg.text(50.0, 20.0, &[("text-anchor", "middle")], "2005-03-01");
        let out = svg.finish("t", 100.0, 40.0, "T", "D");
        assert!(out.contains(
            "<text x=\"10\" y=\"20\" class=\"label\" text-anchor=\"end\" direction=\"rtl\" xml:lang=\"ar\">التنفيذ</text>"
        ), "{out}");
        assert!(out.contains("text-anchor=\"middle\" direction=\"rtl\""));
        assert!(out.contains("xml:lang=\"ar\""));
    }
}
