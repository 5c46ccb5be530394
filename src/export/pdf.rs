//! PDF documents (annexes, bilans, fiches, fiche navette) written with `pdf-writer`: A4 pages,
//! text in the shipped DejaVu Sans font — only the glyphs used, subset by `subsetter` and named
//! with its six-letter tag (`ABCDEF+DejaVuSans`, PDF 32000 §9.6.4), with a ToUnicode map so the
//! text can be searched, copied and extracted (`pdftotext`) —, lines and filled rectangles;
//! every stream compressed (Flate, `miniz_oxide`). A one-page annex weighs some 20 KB instead
//! of 770 KB with the whole font.
//!
//! A document to sign flows from page to page ([`Pdf::document`]): a table that does not fit
//! continues on the next page under its repeated header row, a paragraph goes on line by line,
//! a block that must stay whole (the signatures) moves to the next page; every page carries the
//! document's header (what it is, bailleur, réservataire, territory, year, date of edition) and
//! « page n / N ».

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
    /// The flowing document: its header, the left margin, the top and bottom of the text
    /// area, and where the next line goes.
    entete: Option<Entete>,
    pub marge: f32,
    haut: f32,
    bas: f32,
    pub y: f32,
    /// Room the last row of the next table keeps below it (the signatures that follow): the row
    /// goes to the next page with them rather than leaving them alone there.
    pub garder_pour_la_suite: f32,
    /// Every page of the document keeps a box for the parties' initials (« Paraphes ») in its
    /// footer: a document of several pages that several parties sign.
    pub paraphes: bool,
    /// The room above and below the text of a table's cell, in font sizes (0.55 by default;
    /// less for a dense form such as the fiche récapitulative).
    pub marge_cellule: f32,
    /// A draft, not to sign (why): « PROJET » on every page, across the page and in red over
    /// the header with the reason.
    pub projet: Option<String>,
}

/// What every page of a document says at its top and bottom.
#[derive(Debug, Clone, Default)]
pub struct Entete {
    /// What the document is (« Annexe à la convention de réservation »).
    pub document: String,
    /// « Bailleur : … », « Réservataire : … », « Territoire : … », « Flux 2025 »…
    pub mentions: Vec<String>,
    /// « 05/03/2025 »: the date of edition.
    pub edition: String,
    /// A reference to quote (« annexe-etat-habitat-azur-240600585-2025 »).
    pub reference: String,
}

/// Today's date, as the documents print it (« 05/03/2025 »).
pub fn date_d_edition() -> String {
    crate::format::date_fr(&crate::suivi::bilan::aujourd_hui().to_string())
}

impl Pdf {
    /// A4 portrait (`landscape` false) or landscape, in points.
    pub fn new(landscape: bool) -> Self {
        let face = ttf_parser::Face::parse(FONT, 0).expect("the shipped font parses");
        let (w, h) = if landscape { (842.0, 595.0) } else { (595.0, 842.0) };
        let units_per_em = face.units_per_em() as f32;
        Pdf {
            face,
            width: w,
            height: h,
            pages: vec![Content::new()],
            used: BTreeMap::new(),
            units_per_em,
            entete: None,
            marge: 50.0,
            haut: 60.0,
            bas: h - 50.0,
            y: 60.0,
            garder_pour_la_suite: 0.0,
            paraphes: false,
            marge_cellule: 0.55,
            projet: None,
        }
    }

    /// A document that flows from page to page under its header (see the module).
    pub fn document(landscape: bool, entete: Entete) -> Self {
        let mut p = Pdf::new(landscape);
        p.marge = if landscape { 40.0 } else { 50.0 };
        p.haut = 100.0;
        p.bas = p.height - 48.0;
        p.y = p.haut;
        p.entete = Some(entete);
        p
    }

    /// The width of the text area.
    pub fn largeur(&self) -> f32 {
        self.width - 2.0 * self.marge
    }

    pub fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = self.haut;
    }

    /// Goes to the next page unless `h` points are left on this one.
    pub fn assurer(&mut self, h: f32) {
        if self.y + h > self.bas && self.y > self.haut + 1.0 {
            self.new_page();
        }
    }

    /// Some room before what follows.
    pub fn espace(&mut self, h: f32) {
        self.y += h;
    }

    /// A title (kept with the next 60 points, so that it never ends a page alone).
    pub fn titre(&mut self, size: f32, s: &str) {
        self.assurer(size * 1.6 + 60.0);
        let lines = self.wrap(s, self.largeur(), size);
        for l in lines {
            self.y += size * 1.25;
            let (x, y) = (self.marge, self.y);
            self.text(x, y, size, &l);
        }
        self.y += size * 0.6;
    }

    /// A paragraph that wraps within the text area and goes on over the pages.
    pub fn texte(&mut self, size: f32, s: &str) {
        self.texte_a(0.0, size, s);
    }

    /// A paragraph indented by `retrait` points.
    pub fn texte_a(&mut self, retrait: f32, size: f32, s: &str) {
        for l in self.wrap(s, self.largeur() - retrait, size) {
            self.assurer(size * 1.35);
            self.y += size * 1.2;
            let (x, y) = (self.marge + retrait, self.y);
            self.text(x, y, size, &l);
            self.y += size * 0.15;
        }
        self.y += size * 0.35;
    }

    /// A table over the pages: row 0 is the header, shaded, repeated at the top of every page
    /// the table continues on; every cell wraps within its column (nothing is cut); numbers
    /// right-aligned where `right[j]`.
    pub fn tableau(&mut self, widths: &[f32], right: &[bool], rows: &[Vec<String>], size: f32) {
        let Some(premiere) = rows.first() else { return };
        // The header's size: the body's, smaller if needed so that no word is cut (6 at least) —
        // the words as `wrap` keeps them together (« décomptés / ceux » is one: cut into « ce »
        // and « ux » in the semester's bilan).
        let mut taille_entete = size;
        while taille_entete > 6.0
            && premiere.iter().enumerate().any(|(j, c)| {
                let w = widths.get(j).copied().unwrap_or(60.0) - 6.0;
                insecables(c).iter().any(|mot| self.text_width(mot, taille_entete) > w)
            })
        {
            taille_entete -= 0.25;
        }
        let cells = |p: &Pdf, row: &Vec<String>, taille: f32| -> Vec<Vec<String>> {
            row.iter()
                .enumerate()
                .map(|(j, c)| {
                    let (retrait, texte) = retrait(c);
                    let lignes = p.wrap(texte, widths.get(j).copied().unwrap_or(60.0) - 6.0 - retrait, taille);
                    // The indentation kept as leading spaces on every line.
                    let pad = " ".repeat((retrait / 5.0) as usize);
                    lignes.into_iter().map(|l| format!("{pad}{l}")).collect()
                })
                .collect()
        };
        let marge = self.marge_cellule;
        let hauteur = |c: &Vec<Vec<String>>, taille: f32| {
            let n = c.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
            n * taille * 1.25 + 2.0 * taille * marge
        };
        let entete = cells(self, premiere, taille_entete);
        let h0 = hauteur(&entete, taille_entete);
        // The first column of the last row that had one (a commune shown once for its rows).
        let mut groupe = String::new();
        for (i, row) in rows.iter().enumerate() {
            let (mut c, taille) = if i == 0 { (entete.clone(), taille_entete) } else { (cells(self, row, size), size) };
            let h = hauteur(&c, taille);
            // The header row never ends a page alone; a row that does not fit goes to the next
            // page under the header again.
            // The last row never starts a page alone under the repeated header (a page with
            // only « Total »): the row before it keeps room for it.
            let besoin = if i == 0 {
                h0 + rows.get(1).map(|r| hauteur(&cells(self, r, size), size)).unwrap_or(0.0)
            } else if i + 1 == rows.len() {
                h + self.garder_pour_la_suite
            } else if i + 2 == rows.len() && rows.len() > 3 {
                h + hauteur(&cells(self, &rows[i + 1], size), size) + self.garder_pour_la_suite
            } else {
                h
            };
            let mut h = h;
            if self.y + besoin > self.bas && self.y > self.haut + 1.0 {
                self.new_page();
                if i > 0 {
                    self.ligne_de_tableau(widths, right, &entete, h0, true, taille_entete);
                    // A group continued on this page is named again: « Vallauris (suite) ».
                    if row.first().is_some_and(|x| x.trim().is_empty()) && !groupe.is_empty() {
                        let mut r = row.clone();
                        r[0] = format!("{groupe} (suite)");
                        c = cells(self, &r, size);
                        h = hauteur(&c, size);
                    }
                }
            }
            if i > 0
                && let Some(x) = row.first().filter(|x| !x.trim().is_empty())
            {
                groupe = x.trim().to_string();
            }
            self.ligne_de_tableau(widths, right, &c, h, i == 0, taille);
        }
        self.y += size * 0.8;
        self.garder_pour_la_suite = 0.0;
    }

    /// The height of the signature block of `parties` (to keep the end of a document with it).
    pub fn hauteur_signatures(&self, parties: &[String]) -> f32 {
        let size = 10.0;
        let n = parties.len().max(1) as f32;
        let w = ((self.largeur() - 16.0 * (n - 1.0)) / n).min(300.0);
        let lignes = parties.iter().map(|p| self.wrap(p, w - 8.0, size).len()).max().unwrap_or(1) as f32;
        30.0 + lignes * size * 1.25 + 95.0 + 20.0
    }

    /// The height of a paragraph (as [`Pdf::texte`] writes it).
    pub fn hauteur_texte(&self, size: f32, s: &str) -> f32 {
        self.wrap(s, self.largeur(), size).len() as f32 * size * 1.35 + size * 0.35
    }

    fn ligne_de_tableau(
        &mut self,
        widths: &[f32],
        right: &[bool],
        cells: &[Vec<String>],
        h: f32,
        entete: bool,
        size: f32,
    ) {
        let line_h = size * 1.25;
        let pad = size * self.marge_cellule;
        let mut cx = self.marge;
        let y = self.y;
        for (j, lines) in cells.iter().enumerate() {
            let w = widths.get(j).copied().unwrap_or(60.0);
            self.rect(cx, y, w, h, if entete { Some(0.88) } else { None });
            for (k, l) in lines.iter().enumerate() {
                let (retrait, l) = retrait(l);
                let tw = self.text_width(l, size);
                let droite = right.get(j).copied().unwrap_or(false) && !entete && est_un_nombre(l);
                let tx = if droite { cx + w - tw - 3.0 } else { cx + 3.0 + retrait };
                self.text(tx, y + pad + size * 0.85 + k as f32 * line_h, size, l);
            }
            cx += w;
        }
        self.y += h;
    }

    /// The block the parties sign: « Fait à …, le … », then one box per party (its name over the
    /// room for « nom, qualité » and the signature). Kept whole on one page.
    pub fn signatures(&mut self, lieu: Option<&str>, parties: &[String]) {
        let size = 10.0;
        let n = parties.len().max(1) as f32;
        let gap = 16.0;
        let w = ((self.largeur() - gap * (n - 1.0)) / n).min(300.0);
        let boite = 95.0;
        let lignes: Vec<Vec<String>> = parties.iter().map(|p| self.wrap(p, w - 8.0, size)).collect();
        let titre_h = lignes.iter().map(Vec::len).max().unwrap_or(1) as f32 * size * 1.25;
        self.assurer(30.0 + titre_h + boite + 20.0);
        self.y += 14.0;
        let lieu = lieu.filter(|l| !l.trim().is_empty()).unwrap_or("………………………………");
        let (x, y) = (self.marge, self.y);
        // « En autant d'exemplaires que de parties » only where there are several parties.
        let exemplaires = if parties.len() > 1 { ", en autant d'exemplaires que de parties" } else { "" };
        self.text(x, y, size, &format!("Fait à {lieu}, le ………………………………{exemplaires}."));
        self.y += 12.0;
        let y0 = self.y;
        for (i, l) in lignes.iter().enumerate() {
            let x = self.marge + i as f32 * (w + gap);
            for (k, t) in l.iter().enumerate() {
                self.text(x + 4.0, y0 + size * 1.1 + k as f32 * size * 1.25, size, t);
            }
            let yb = y0 + titre_h + 6.0;
            self.text(x + 4.0, yb + 12.0, 8.0, "Nom, qualité :");
            self.text(x + 4.0, yb + 30.0, 8.0, "Signature et cachet :");
            self.rect(x, yb, w, boite, None);
        }
        self.y = y0 + titre_h + 6.0 + boite + 10.0;
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

    /// Text in a grey level (0 black, 1 white), for the header and footer.
    pub fn text_gris(&mut self, x: f32, y: f32, size: f32, gris: f32, s: &str) {
        self.content().set_fill_gray(gris);
        self.text(x, y, size, s);
        self.content().set_fill_gray(0.0);
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

    /// The lines of a text wrapped on spaces within `width` (a word longer than the width is
    /// cut between its letters, never left past the edge); `\n` starts a new line.
    pub fn wrap(&self, s: &str, width: f32, size: f32) -> Vec<String> {
        if s.contains('\n') {
            return s.split('\n').flat_map(|l| self.wrap(l, width, size)).collect();
        }
        let mut lines = vec![];
        let mut line = String::new();
        let mut mots: Vec<String> = vec![];
        for word in insecables(s) {
            let word = word.as_str();
            if self.text_width(word, size) <= width {
                mots.push(word.to_string());
                continue;
            }
            let mut morceau = String::new();
            for c in word.chars() {
                if !morceau.is_empty() && self.text_width(&format!("{morceau}{c}"), size) > width {
                    mots.push(std::mem::take(&mut morceau));
                }
                morceau.push(c);
            }
            mots.push(morceau);
        }
        for word in &mots {
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

    /// Draws the header and the footer of every page of a document (once the number of pages
    /// is known).
    fn entetes(&mut self) {
        let Some(e) = self.entete.clone() else { return };
        let e_projet = self.projet.clone();
        let n = self.pages.len();
        let (w, h, m) = (self.width, self.height, self.marge);
        for i in 0..n {
            // Draw on page i: the pages are written in order, so swap it to the end.
            let page = std::mem::replace(&mut self.pages[i], Content::new());
            self.pages.push(page);
            let date = format!("Édité le {}", e.edition);
            let dw = self.text_width(&date, 8.0);
            let doc_w = w - 2.0 * m - dw - 20.0;
            let doc = self.wrap(&e.document, doc_w, 9.0).into_iter().next().unwrap_or_default();
            self.text(m, 40.0, 9.0, &doc);
            self.text_gris(w - m - dw, 40.0, 8.0, 0.25, &date);
            // The mentions on one line, smaller if need be; else on lines that break between two
            // mentions only (never a line that starts with « · »).
            let largeur = w - 2.0 * m;
            let mut taille = 8.0;
            let une = e.mentions.join("  ·  ");
            while taille > 6.5 && self.text_width(&une, taille) > largeur {
                taille -= 0.25;
            }
            let mut lignes: Vec<String> = vec![];
            for x in &e.mentions {
                match lignes.last_mut() {
                    Some(l) if self.text_width(&format!("{l}  ·  {x}"), taille) <= largeur => {
                        l.push_str("  ·  ");
                        l.push_str(x);
                    }
                    _ => lignes.push(x.clone()),
                }
            }
            let mut y = 53.0;
            for l in lignes.into_iter().take(3) {
                for l in self.wrap(&l, largeur, taille).into_iter().take(1) {
                    self.text_gris(m, y, taille, 0.25, &l);
                }
                y += 10.0;
            }
            self.line(m, y - 4.0, w - m, y - 4.0);
            if let Some(motif) = e_projet.as_deref() {
                self.filigrane_projet(motif);
            }
            let pied = format!("page {} / {n}", i + 1);
            let pw = self.text_width(&pied, 8.0);
            self.line(m, h - 34.0, w - m, h - 34.0);
            if !e.reference.is_empty() {
                let r = format!("Réf. {}", e.reference);
                let place = w - 2.0 * m - pw - 20.0 - if self.paraphes { 170.0 } else { 0.0 };
                // Smaller rather than cut: a reference is quoted whole.
                let mut taille = 7.5;
                while taille > 5.5 && self.text_width(&r, taille) > place {
                    taille -= 0.25;
                }
                let r = self.wrap(&r, place, taille).into_iter().next().unwrap_or_default();
                self.text_gris(m, h - 22.0, taille, 0.25, &r);
            }
            self.text_gris(w - m - pw, h - 22.0, 8.0, 0.25, &pied);
            if self.paraphes {
                // The box for the initials, between the reference and the page number.
                let (bw, bx) = (150.0, w - m - pw - 20.0 - 150.0);
                self.rect(bx, h - 31.0, bw, 20.0, None);
                self.text_gris(bx + 3.0, h - 23.5, 6.5, 0.35, "Paraphes");
            }
            let page = self.pages.pop().expect("the page just pushed");
            self.pages[i] = page;
        }
    }

    /// « PROJET » across the page (outlined, light, the text under it stays legible) and, in
    /// red above the header, « PROJET — » and why the document is not to sign.
    fn filigrane_projet(&mut self, motif: &str) {
        use pdf_writer::types::TextRenderingMode;
        let (w, h) = (self.width, self.height);
        let taille = 110.0;
        let tw = self.text_width("PROJET", taille);
        let (c, s) = (std::f32::consts::FRAC_PI_4.cos(), std::f32::consts::FRAC_PI_4.sin());
        // Centred on the page, along its diagonal.
        let (x, y) = (w / 2.0 - c * tw / 2.0 + s * taille * 0.35, h / 2.0 - s * tw / 2.0 - c * taille * 0.35);
        let glyphs: Vec<u8> = "PROJET".chars().flat_map(|ch| self.glyph(ch).to_be_bytes()).collect();
        self.content()
            .save_state()
            .set_stroke_rgb(0.85, 0.55, 0.55)
            .set_line_width(1.2)
            .begin_text()
            .set_font(Name(b"F1"), taille)
            .set_text_rendering_mode(TextRenderingMode::Stroke)
            .set_text_matrix([c, s, -s, c, x, y])
            .show(Str(&glyphs))
            .end_text()
            .restore_state();
        let m = self.marge;
        let t = format!("PROJET — {motif}");
        let mut taille = 9.0;
        while taille > 6.5 && self.text_width(&t, taille) > w - 2.0 * m {
            taille -= 0.25;
        }
        let lignes = self.wrap(&t, w - 2.0 * m, taille);
        self.content().set_fill_rgb(0.75, 0.0, 0.0);
        let mut y = if lignes.len() > 1 { 16.0 } else { 24.0 };
        for l in lignes.into_iter().take(2) {
            self.text(m, y, taille, &l);
            y += taille * 1.2;
        }
        self.content().set_fill_gray(0.0);
    }

    pub fn to_bytes(mut self) -> Vec<u8> {
        self.entetes();
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
        // A subset font is named with a tag of six capital letters (PDF 32000 §9.6.4), the
        // same for the same glyphs.
        let tag: String = {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for g in self.used.keys() {
                h = (h ^ u64::from(*g)).wrapping_mul(0x100_0000_01b3);
            }
            (0..6).map(|i| (b'A' + ((h >> (i * 8)) % 26) as u8) as char).collect()
        };
        let base = if cid_to_gid.is_some() { format!("{tag}+DejaVuSans") } else { "DejaVuSans".to_string() };
        let name = Name(base.as_bytes());
        pdf.type0_font(type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
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

/// The words of a text for wrapping, French typography kept whole: « ; », « : », « % », « € »,
/// « » », « ? », « ! » stay with the word before them, « « » with the word after, a number with
/// its unit or noun (« 42 logements », « 61,8 m² »), a minus sign with its number, and a ratio
/// with both its terms (« (40 / 103) », never « (40 / » over « 103) »).
fn insecables(s: &str) -> Vec<String> {
    let est_nombre = |w: &str| {
        !w.is_empty()
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_digit() || ",.\u{a0}\u{202f}−-+".contains(c))
    };
    let mut out: Vec<String> = vec![];
    let mut colle_au_suivant = false;
    for w in s.split(' ') {
        let signe = w == "/"
            || [";", ":", "%", "€", "»", "?", "!", "m²"].iter().any(|p| w.starts_with(p) && w.chars().count() <= 3);
        match out.last_mut() {
            Some(prev)
                if (signe || colle_au_suivant) && !w.is_empty() && prev.chars().count() + w.chars().count() < 40 =>
            {
                prev.push(' ');
                prev.push_str(w);
            }
            _ => out.push(w.to_string()),
        }
        colle_au_suivant = w == "«" || w == "−" || w == "/" || (est_nombre(w) && w.chars().count() <= 12);
    }
    out
}

/// A cell's indentation (two leading spaces: 10 points) and its text without it.
fn retrait(s: &str) -> (f32, &str) {
    let t = s.trim_start_matches(' ');
    (((s.len() - t.len()) / 2) as f32 * 10.0, t)
}

/// Whether a cell reads as a number (« 1 600 », « 15,1 % », « -2,5 »): right-aligned in its
/// column; a text stays on the left.
fn est_un_nombre(s: &str) -> bool {
    let t = s.trim();
    if t == "—" {
        return true;
    }
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || " \u{202f}\u{a0},.%-–+\u{2212}".contains(c))
}

/// Flate (zlib) compression of a stream.
fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lignes(n: usize) -> Vec<Vec<String>> {
        std::iter::once(vec!["Commune".to_string(), "Logements".to_string()])
            .chain((1..n).map(|i| vec![format!("Commune {i}"), i.to_string()]))
            .chain(std::iter::once(vec!["Total".to_string(), "99".to_string()]))
            .collect()
    }

    #[test]
    fn the_last_row_of_a_table_never_starts_a_page_alone_under_its_header() {
        let mut p = Pdf::document(false, Entete::default());
        let rows = lignes(5);
        // One row of 9 points: 9 × 1.25 + 2 × 9 × 0.55 = 21.15 points. Room for the header
        // and four rows, not the fifth (« Total »).
        let h = 9.0 * 1.25 + 2.0 * 9.0 * 0.55;
        p.y = p.bas - 5.0 * h - 1.0;
        p.tableau(&[300.0, 100.0], &[false, true], &rows, 9.0);
        assert_eq!(p.pages.len(), 2);
        // On the second page: the repeated header, the last commune and « Total ».
        let attendu = p.haut + 3.0 * h + 9.0 * 0.8;
        assert!((p.y - attendu).abs() < 0.01, "y {} ≠ {attendu}", p.y);
    }

    #[test]
    fn a_group_continued_on_the_next_page_is_named_again() {
        let mut p = Pdf::document(false, Entete::default());
        let mut rows = vec![vec!["Commune".to_string(), "Baux".to_string()], vec!["Vallauris".into(), "1".into()]];
        rows.extend((0..80).map(|i| vec![String::new(), i.to_string()]));
        p.tableau(&[300.0, 100.0], &[false, true], &rows, 9.0);
        assert!(p.pages.len() >= 2);
        let bytes = p.to_bytes();
        let dir = std::env::temp_dir().join(format!("contingents-pdf-suite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("suite.pdf");
        std::fs::write(&f, bytes).unwrap();
        let o = std::process::Command::new("pdftotext").arg(&f).arg("-").output();
        let _ = std::fs::remove_dir_all(&dir);
        let Ok(o) = o else { return };
        let txt = String::from_utf8_lossy(&o.stdout);
        // Named on the first page, then once at the top of each page it continues on.
        let pages = txt.matches('\u{c}').count().max(1);
        assert_eq!(txt.matches("Vallauris (suite)").count(), pages - 1, "{txt}");
        assert_eq!(txt.matches("Vallauris").count(), pages, "{txt}");
    }

    #[test]
    fn a_reference_too_long_for_the_footer_is_printed_smaller_never_cut() {
        let reference = "ANNEXE-ETAT-CONTINGENT-PREFECTORAL-RESIDENCES-DU-LOUP-DEPARTEMENT-06-2024".to_string();
        let mut p = Pdf::document(false, Entete { reference: reference.clone(), ..Default::default() });
        p.paraphes = true;
        p.texte(10.0, "Un paragraphe.");
        let bytes = p.to_bytes();
        let dir = std::env::temp_dir().join(format!("contingents-pdf-ref-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("ref.pdf");
        std::fs::write(&f, bytes).unwrap();
        let o = std::process::Command::new("pdftotext").arg(&f).arg("-").output();
        let _ = std::fs::remove_dir_all(&dir);
        match o {
            Ok(o) if o.status.success() => {
                let txt = String::from_utf8_lossy(&o.stdout);
                assert!(txt.contains(&format!("Réf. {reference}")), "{txt}");
                assert!(txt.contains("Paraphes"), "{txt}");
            }
            _ => eprintln!("SAUTÉ : pdftotext absent, le pied de page n'est pas relu"),
        }
    }
}
