//! A small PDF writer for the annexes, the bilans and the fiche navette: A4 pages, text in
//! the shipped DejaVu Sans font — only the glyphs used, subset by the `subsetter` crate, with
//! a ToUnicode map so the text can be searched, copied and extracted (`pdftotext`) —, lines
//! and filled rectangles; every stream compressed (Flate, `miniz_oxide`). A one-page annex
//! weighs some 20 KB instead of 770 KB with the whole font.

use std::collections::BTreeMap;
use std::fmt::Write as _;

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

pub struct Pdf {
    face: ttf_parser::Face<'static>,
    pub width: f32,
    pub height: f32,
    pages: Vec<String>,
    used: BTreeMap<u16, (char, u16)>,
    units_per_em: f32,
}

impl Pdf {
    /// A4 portrait (`landscape` false) or landscape, in points.
    pub fn new(landscape: bool) -> Self {
        let face = ttf_parser::Face::parse(FONT, 0).expect("the shipped font parses");
        let (w, h) = if landscape { (842.0, 595.0) } else { (595.0, 842.0) };
        let units_per_em = face.units_per_em() as f32;
        Pdf { face, width: w, height: h, pages: vec![String::new()], used: BTreeMap::new(), units_per_em }
    }

    pub fn new_page(&mut self) {
        self.pages.push(String::new());
    }

    fn content(&mut self) -> &mut String {
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
        let hex: String = s.chars().map(|c| format!("{:04X}", self.glyph(c))).collect();
        let y = self.height - y;
        let _ = writeln!(self.content(), "BT /F1 {size:.2} Tf {x:.2} {y:.2} Td <{hex}> Tj ET");
    }

    /// Text that wraps on spaces within `width`; returns the y after the last line.
    pub fn paragraph(&mut self, x: f32, mut y: f32, width: f32, size: f32, s: &str) -> f32 {
        let mut line = String::new();
        for word in s.split(' ') {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if self.text_width(&candidate, size) > width && !line.is_empty() {
                self.text(x, y, size, &line);
                y += size * 1.35;
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            self.text(x, y, size, &line);
            y += size * 1.35;
        }
        y
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let (h1, h2) = (self.height - y1, self.height - y2);
        let _ = writeln!(self.content(), "0.5 w {x1:.2} {h1:.2} m {x2:.2} {h2:.2} l S");
    }

    /// A rectangle from its top-left corner; `fill` is a grey level (0 black, 1 white).
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<f32>) {
        let y0 = self.height - y - h;
        let op = match fill {
            Some(g) => format!("{g:.2} g {x:.2} {y0:.2} {w:.2} {h:.2} re B 0 g"),
            None => format!("{x:.2} {y0:.2} {w:.2} {h:.2} re S"),
        };
        let _ = writeln!(self.content(), "{op}");
    }

    /// A table: header row shaded, numbers right-aligned when `right[j]`.
    pub fn table(
        &mut self,
        x: f32,
        mut y: f32,
        widths: &[f32],
        right: &[bool],
        rows: &[Vec<String>],
        size: f32,
    ) -> f32 {
        let h = size * 1.8;
        for (i, row) in rows.iter().enumerate() {
            let mut cx = x;
            for (j, cell) in row.iter().enumerate() {
                let w = widths.get(j).copied().unwrap_or(60.0);
                self.rect(cx, y, w, h, if i == 0 { Some(0.88) } else { None });
                let tw = self.text_width(cell, size);
                let tx = if right.get(j).copied().unwrap_or(false) && i > 0 { cx + w - tw - 4.0 } else { cx + 4.0 };
                self.text(tx, y + h * 0.68, size, cell);
                cx += w;
            }
            y += h;
        }
        y
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut objects: Vec<Vec<u8>> = Vec::new();
        // 1 catalog, 2 pages, 3 font (Type0), 4 CIDFont, 5 descriptor, 6 font file, 7 ToUnicode, then pages.
        let n_pages = self.pages.len();
        let first_page = 8;
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        let kids: String = (0..n_pages).map(|i| format!("{} 0 R ", first_page + 2 * i)).collect();
        objects.push(format!("<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>").into_bytes());
        objects.push(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /DejaVuSans /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>"
                .to_vec(),
        );
        let scale = 1000.0 / self.units_per_em;
        let widths: String =
            self.used.iter().map(|(g, (_, adv))| format!("{g} [{:.0}] ", *adv as f32 * scale)).collect();
        objects.push(
            format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /CIDToGIDMap /Identity /DW 600 /W [{widths}] >>"
            )
            .into_bytes(),
        );
        let bbox = self.face.global_bounding_box();
        objects.push(
            format!(
                "<< /Type /FontDescriptor /FontName /DejaVuSans /Flags 32 /FontBBox [{:.0} {:.0} {:.0} {:.0}] /ItalicAngle 0 /Ascent {:.0} /Descent {:.0} /CapHeight {:.0} /StemV 80 /FontFile2 6 0 R >>",
                bbox.x_min as f32 * scale,
                bbox.y_min as f32 * scale,
                bbox.x_max as f32 * scale,
                bbox.y_max as f32 * scale,
                self.face.ascender() as f32 * scale,
                self.face.descender() as f32 * scale,
                self.face.capital_height().unwrap_or(700) as f32 * scale
            )
            .into_bytes(),
        );
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
                let map: Vec<u8> = (0..=max).flat_map(|cid| remapper.get(cid).unwrap_or(0).to_be_bytes()).collect();
                (sub, Some(map))
            }
            Err(_) => (FONT.to_vec(), None),
        };
        objects.push(stream(&format!("/Length1 {}", font_data.len()), &font_data));
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
        );
        let entries: Vec<_> = self.used.iter().collect();
        for chunk in entries.chunks(100) {
            let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
            for (g, (c, _)) in chunk {
                let utf16: String = c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("{u:04X}")).collect();
                let _ = writeln!(cmap, "<{g:04X}> <{utf16}>");
            }
            let _ = writeln!(cmap, "endbfchar");
        }
        cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end");
        objects.push(stream("", cmap.as_bytes()));
        for (i, content) in self.pages.iter().enumerate() {
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                    self.width,
                    self.height,
                    first_page + 2 * i + 1
                )
                .into_bytes(),
            );
            objects.push(stream("", content.as_bytes()));
        }
        // After the pages: the CIDToGIDMap of the subset font (object 4 points to it).
        let map_object = objects.len() + 1;
        match cid_to_gid {
            Some(map) => {
                objects.push(stream("", &map));
                objects[3] = String::from_utf8_lossy(&objects[3])
                    .replace("/CIDToGIDMap /Identity", &format!("/CIDToGIDMap {map_object} 0 R"))
                    .into_bytes();
            }
            None => objects.push(b"null".to_vec()),
        }
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(o);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        out
    }

    /// Writes the PDF atomically.
    pub fn save(&self, out: &std::path::Path) -> Result<(), super::ExportError> {
        Ok(super::write_atomically(out, |tmp| std::fs::write(tmp, self.to_bytes()))?)
    }
}

/// A stream object, Flate-compressed, with extra dictionary entries.
fn stream(extra: &str, data: &[u8]) -> Vec<u8> {
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(data, 6);
    let mut o = format!("<< /Length {} /Filter /FlateDecode {extra} >>\nstream\n", packed.len()).into_bytes();
    o.extend_from_slice(&packed);
    o.extend_from_slice(b"\nendstream");
    o
}
