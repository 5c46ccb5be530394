//! PDF documents (annexes, bilans, fiche navette) written with `pdf-writer`: A4 pages,
//! text in the shipped DejaVu Sans font — only the glyphs used, subset by `subsetter`, with
//! a ToUnicode map so the text can be searched, copied and extracted (`pdftotext`) —, lines
//! and filled rectangles; every stream compressed (Flate, `miniz_oxide`). A one-page annex
//! weighs some 20 KB instead of 770 KB with the whole font.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Rect, Ref, Str};
use std::collections::BTreeMap;

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

pub struct Pdf {
    face: ttf_parser::Face<'static>,
    pub width: f32,
    pub height: f32,
    pages: Vec<Content>,
    used: BTreeMap<u16, (char, u16)>,
    units_per_em: f32,
}

impl Pdf {
    /// A4 portrait (`landscape` false) or landscape, in points.
    pub fn new(landscape: bool) -> Self {
        let face = ttf_parser::Face::parse(FONT, 0).expect("the shipped font parses");
        let (w, h) = if landscape { (842.0, 595.0) } else { (595.0, 842.0) };
        let units_per_em = face.units_per_em() as f32;
        Pdf { face, width: w, height: h, pages: vec![Content::new()], used: BTreeMap::new(), units_per_em }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Content::new());
    }

    fn content(&mut self) -> &mut Content {
        self.pages.last_mut().expect("one page at least")
    }

    fn glyph(&mut self, c: char) -> u16 {
        let gid = self.face.glyph_index(c).or_else(|| self.face.glyph_index('?')).map(|g| g.0).unwrap_or(0);
        let adv = self.face.glyph_hor_advance(ttf_parser::GlyphId(gid)).unwrap_or(0);
        self.used.entry(gid).or_insert((c, adv));
        gid
    }

    /// Width of a text in points at a size.
    pub fn text_width(&self, s: &str, size: f32) -> f32 {
        s.chars()
            .map(|c| {
                let g = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                self.face.glyph_hor_advance(g).unwrap_or(0) as f32
            })
            .sum::<f32>()
            * size
            / self.units_per_em
    }

    /// Text with its baseline at `y` points from the top of the page.
    pub fn text(&mut self, x: f32, y: f32, size: f32, s: &str) {
        // Identity-H: two bytes per glyph id.
        let glyphs: Vec<u8> = s.chars().flat_map(|c| self.glyph(c).to_be_bytes()).collect();
        let y = self.height - y;
        self.content().begin_text().set_font(Name(b"F1"), size).next_line(x, y).show(Str(&glyphs)).end_text();
    }

    /// Text that wraps on spaces within `width`; returns the y after the last line.
    pub fn paragraph(&mut self, x: f32, mut y: f32, width: f32, size: f32, s: &str) -> f32 {
        for line in self.wrap(s, width, size) {
            self.text(x, y, size, &line);
            y += size * 1.35;
        }
        y
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let (h1, h2) = (self.height - y1, self.height - y2);
        self.content().set_line_width(0.5).move_to(x1, h1).line_to(x2, h2).stroke();
    }

    /// A rectangle from its top-left corner; `fill` is a grey level (0 black, 1 white).
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<f32>) {
        let y0 = self.height - y - h;
        let c = self.content();
        match fill {
            Some(g) => c.set_fill_gray(g).rect(x, y0, w, h).fill_nonzero_and_stroke().set_fill_gray(0.0),
            None => c.rect(x, y0, w, h).stroke(),
        };
    }

    /// The lines of a text wrapped on spaces within `width` (a word longer than the width
    /// stays whole on its line).
    pub fn wrap(&self, s: &str, width: f32, size: f32) -> Vec<String> {
        let mut lines = vec![];
        let mut line = String::new();
        for word in s.split(' ') {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if self.text_width(&candidate, size) > width && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A table: header row shaded, its labels wrapped within their columns; numbers
    /// right-aligned when `right[j]`.
    pub fn table(
        &mut self,
        x: f32,
        mut y: f32,
        widths: &[f32],
        right: &[bool],
        rows: &[Vec<String>],
        size: f32,
    ) -> f32 {
        let line_h = size * 1.25;
        for (i, row) in rows.iter().enumerate() {
            let width = |j: usize| widths.get(j).copied().unwrap_or(60.0);
            let cells: Vec<Vec<String>> = row
                .iter()
                .enumerate()
                .map(|(j, c)| if i == 0 { self.wrap(c, width(j) - 8.0, size) } else { vec![c.clone()] })
                .collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
            let h = size * 1.8 + (n - 1.0) * line_h;
            let mut cx = x;
            for (j, lines) in cells.iter().enumerate() {
                let w = width(j);
                self.rect(cx, y, w, h, if i == 0 { Some(0.88) } else { None });
                for (k, l) in lines.iter().enumerate() {
                    let tw = self.text_width(l, size);
                    let tx = if right.get(j).copied().unwrap_or(false) && i > 0 { cx + w - tw - 4.0 } else { cx + 4.0 };
                    self.text(tx, y + size * 1.8 * 0.68 + k as f32 * line_h, size, l);
                }
                cx += w;
            }
            y += h;
        }
        y
    }

    pub fn to_bytes(self) -> Vec<u8> {
        let mut ids = (1..).map(Ref::new);
        let mut next = || ids.next().expect("ids never run out");
        let (catalog, tree, type0, cid, descriptor, file, cmap, map) =
            (next(), next(), next(), next(), next(), next(), next(), next());
        let pages: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (next(), next())).collect();
        let mut pdf = pdf_writer::Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids(pages.iter().map(|p| p.0)).count(pages.len() as i32);
        let (width, height) = (self.width, self.height);
        for (content, (page, stream)) in self.pages.into_iter().zip(&pages) {
            let mut p = pdf.page(*page);
            p.media_box(Rect::new(0.0, 0.0, width, height)).parent(tree).contents(*stream);
            p.resources().fonts().pair(Name(b"F1"), type0);
            p.finish();
            pdf.stream(*stream, &deflate(&content.finish())).filter(Filter::FlateDecode);
        }
        let name = Name(b"DejaVuSans");
        pdf.type0_font(type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        // The font: only the glyphs used. Character ids stay the original glyph ids in the
        // page contents; the CIDToGIDMap sends each to its glyph in the subset.
        let mut remapper = subsetter::GlyphRemapper::new();
        remapper.remap(0);
        for g in self.used.keys() {
            remapper.remap(*g);
        }
        let (font_data, cid_to_gid) = match subsetter::subset(FONT, 0, &remapper) {
            Ok(sub) => {
                let max = self.used.keys().max().copied().unwrap_or(0);
                let map: Vec<u8> = (0..=max).flat_map(|c| remapper.get(c).unwrap_or(0).to_be_bytes()).collect();
                (sub, Some(map))
            }
            Err(_) => (FONT.to_vec(), None),
        };
        let scale = 1000.0 / self.units_per_em;
        let identity = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        let mut c = pdf.cid_font(cid);
        c.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(identity)
            .font_descriptor(descriptor)
            .default_width(600.0);
        match &cid_to_gid {
            Some(_) => c.cid_to_gid_map_stream(map),
            None => c.cid_to_gid_map_predefined(Name(b"Identity")),
        };
        {
            let mut w = c.widths();
            for (g, (_, adv)) in &self.used {
                w.consecutive(*g, [*adv as f32 * scale]);
            }
        }
        c.finish();
        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(name)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                bbox.x_min as f32 * scale,
                bbox.y_min as f32 * scale,
                bbox.x_max as f32 * scale,
                bbox.y_max as f32 * scale,
            ))
            .italic_angle(0.0)
            .ascent(self.face.ascender() as f32 * scale)
            .descent(self.face.descender() as f32 * scale)
            .cap_height(self.face.capital_height().unwrap_or(700) as f32 * scale)
            .stem_v(80.0)
            .font_file2(file);
        pdf.stream(file, &deflate(&font_data))
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), font_data.len() as i32);
        let ucs = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"UCS"), supplement: 0 };
        let mut unicode = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), ucs);
        for (g, (ch, _)) in &self.used {
            unicode.pair(*g, *ch);
        }
        pdf.cmap(cmap, &deflate(&unicode.finish())).filter(Filter::FlateDecode);
        if let Some(m) = cid_to_gid {
            pdf.stream(map, &deflate(&m)).filter(Filter::FlateDecode);
        }
        pdf.finish()
    }

    /// Writes the PDF atomically.
    pub fn save(self, out: &std::path::Path) -> Result<(), super::ExportError> {
        let bytes = self.to_bytes();
        Ok(super::write_atomically(out, |tmp| std::fs::write(tmp, &bytes))?)
    }
}

/// Flate (zlib) compression of a stream.
fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}
