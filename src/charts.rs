//! Charts of the stock: their figures (all sums of the cube) and réservataire colours, for
//! the window (which draws them itself, `ui/screens/graphique.rs`) and for the exported
//! pictures drawn here with plotters (PNG at print resolution, SVG with real text).

use crate::consolidate::{Cube, Dimension, Filtre, Tally, libelle_reservataire, nom_commune, qpv_key};
use crate::format::{entier, pourcent};
use crate::model::{Reservataire, TypologieGrille};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::Once;

/// The kinds of chart of the dashboard (names as on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    #[default]
    Reservataires,
    IndividuelCollectif,
    Qpv,
    Typologie,
    Financement,
    Communes,
    Bailleurs,
    EtatReservation,
    Synthese,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Reservataires,
        Kind::Typologie,
        Kind::Financement,
        Kind::Communes,
        Kind::Bailleurs,
        Kind::Qpv,
        Kind::IndividuelCollectif,
        Kind::EtatReservation,
        Kind::Synthese,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::IndividuelCollectif => "individuel-collectif",
            Kind::Qpv => "qpv",
            Kind::Typologie => "typologie",
            Kind::Financement => "financement",
            Kind::Communes => "communes",
            Kind::Bailleurs => "bailleurs",
            Kind::Reservataires => "reservataires",
            Kind::EtatReservation => "etat-reservation",
            Kind::Synthese => "synthese",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::IndividuelCollectif => "Individuel / collectif",
            Kind::Qpv => "En QPV / hors QPV",
            Kind::Typologie => "Logements par typologie",
            Kind::Financement => "Logements par financement",
            Kind::Communes => "Logements par commune",
            Kind::Bailleurs => "Logements par bailleur",
            Kind::Reservataires => "Logements par réservataire",
            Kind::EtatReservation => "État de la réservation par typologie",
            Kind::Synthese => "Synthèse",
        }
    }
}

/// Which part of the stock a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Stock {
    #[default]
    Tout,
    Reserve,
    NonReserve,
}

impl Stock {
    /// The stock as the cube's selections take it: reserved only, non-reserved only, or all.
    pub fn reserve(self) -> Option<bool> {
        match self {
            Stock::Tout => None,
            Stock::Reserve => Some(true),
            Stock::NonReserve => Some(false),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stock::Tout => "parc total",
            Stock::Reserve => "parc réservé",
            Stock::NonReserve => "parc non réservé",
        }
    }

    pub const ALL: [Stock; 3] = [Stock::Tout, Stock::Reserve, Stock::NonReserve];

    /// Its name on the command line (`--stock non-reserve`): a word of the command line, beside
    /// `tout` and `reserve`, not the réservataire id `Reservataire::NON_RESERVE` (the command
    /// line keeps its words whatever the dossier's codes become).
    pub fn name(self) -> &'static str {
        match self {
            Stock::Tout => "tout",
            Stock::Reserve => "reserve",
            Stock::NonReserve => "non-reserve",
        }
    }

    pub fn parse(s: &str) -> Option<Stock> {
        Stock::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// One bar: its key (to filter on a click), label, value, and stacked parts if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub key: String,
    pub label: String,
    pub value: u64,
    pub color: RGBColor,
    /// For stacked bars: (segment label, value, colour).
    pub segments: Vec<(String, u64, RGBColor)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    pub kind: Kind,
    pub title: String,
    pub total: u64,
    pub bars: Vec<Bar>,
}

/// Okabe–Ito, readable by colour-blind readers, then Paul Tol's muted set.
const PALETTE: [RGBColor; 16] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
    RGBColor(51, 34, 136),
    RGBColor(136, 204, 238),
    RGBColor(68, 170, 153),
    RGBColor(17, 119, 51),
    RGBColor(153, 153, 51),
    RGBColor(221, 204, 119),
    RGBColor(204, 102, 119),
    RGBColor(136, 34, 85),
    RGBColor(170, 68, 153),
];

/// Colours of the réservataires that are not fixed (collectivités, other bodies): distinct
/// from one another and from the fixed ones, every one darker than the background enough
/// to be seen as a shape (outlined anyway in the window).
const COLLECTIVITES: [RGBColor; 24] = [
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(136, 34, 85),
    RGBColor(17, 119, 51),
    RGBColor(153, 153, 51),
    RGBColor(204, 102, 119),
    RGBColor(68, 170, 153),
    RGBColor(170, 68, 153),
    RGBColor(221, 204, 119),
    RGBColor(0, 68, 136),
    RGBColor(153, 119, 0),
    RGBColor(102, 153, 204),
    RGBColor(238, 136, 102),
    RGBColor(153, 68, 85),
    RGBColor(187, 204, 51),
    RGBColor(119, 170, 221),
    RGBColor(238, 153, 170),
    RGBColor(68, 187, 153),
    RGBColor(102, 51, 0),
    RGBColor(170, 170, 0),
    RGBColor(0, 119, 187),
    RGBColor(238, 51, 119),
    RGBColor(90, 174, 97),
    RGBColor(204, 51, 17),
];

/// The colours of a dossier's réservataires: the same réservataire has the same colour in
/// every chart of the window and every exported picture, whatever the filters. The State,
/// its civil servants, Action Logement, the Defence and the non-reserved stock have fixed
/// colours; the others take the next free colour in the order of their identifiers among
/// all the réservataires of the dossier (so two of them never share a colour below 24).
///
/// A palette borrows the dossier's sorted identifiers: no copy, a colour by binary search
/// (a national dossier has some 35 000 réservataires).
#[derive(Debug, Clone, Copy)]
pub struct Palette<'a> {
    /// The identifiers of all the dossier's réservataires, sorted and unique.
    ids: &'a [String],
}

/// The réservataires with a fixed colour.
const FIXES: [(Reservataire, RGBColor); 5] = [
    (Reservataire::ACTION_LOGEMENT, PALETTE[1]),
    (Reservataire::DEFENSE, PALETTE[7]),
    (Reservataire::ETAT, PALETTE[0]),
    (Reservataire::FONCTIONNAIRES, PALETTE[4]),
    (Reservataire::NON_RESERVE, RGBColor(170, 170, 170)),
];

impl<'a> Palette<'a> {
    /// `ids`: sorted and unique (as the cube keeps them).
    pub fn new(ids: &'a [String]) -> Palette<'a> {
        debug_assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted, unique identifiers");
        Palette { ids }
    }

    pub fn du_cube(cube: &'a Cube) -> Palette<'a> {
        Palette::new(cube.reservataires_tries())
    }

    pub fn couleur(&self, id: &str) -> RGBColor {
        if let Some(c) = fixed_color(id) {
            return c;
        }
        let i = match self.ids.binary_search_by(|x| x.as_str().cmp(id)) {
            // Its rank among the identifiers without a fixed colour.
            Ok(i) => {
                i - FIXES
                    .iter()
                    .filter(|(f, _)| f.as_str() < id && self.ids.binary_search_by(|x| x.as_str().cmp(f)).is_ok())
                    .count()
            }
            // Not in the dossier (a bilan of another period): a stable colour all the same.
            Err(_) => id.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize)),
        };
        COLLECTIVITES[i % COLLECTIVITES.len()]
    }
}

fn fixed_color(id: &str) -> Option<RGBColor> {
    FIXES.iter().find(|(f, _)| *f == id).map(|(_, c)| *c)
}

/// The typologies' own colours: one hue (teal), lighter for the small dwellings and darker
/// for the large ones — an ordered scale, never a réservataire's colour (T2 is no longer the
/// State's blue, nor T4 Action Logement's orange).
const TYPOLOGIES: [RGBColor; 6] = [
    RGBColor(214, 238, 234),
    RGBColor(160, 214, 206),
    RGBColor(102, 184, 172),
    RGBColor(52, 146, 134),
    RGBColor(20, 104, 96),
    RGBColor(6, 64, 60),
];

fn typology_color(t: TypologieGrille) -> RGBColor {
    TYPOLOGIES[t as usize]
}

/// Bars drawn before the rest is grouped.
pub const MAX_BARS: usize = 30;

fn bars_by(t: Tally, label: impl Fn(&str) -> String, color: impl Fn(&str, usize) -> RGBColor) -> (u64, Vec<Bar>) {
    let total = t.top.iter().map(|x| x.1).sum::<u64>() + t.rest;
    // Beyond MAX_BARS the smallest are summed in one « Autres » bar: readable, and fast to draw
    // at national scale (thousands of communes).
    let (rest, others) = (t.rest, t.rest_count);
    let mut bars: Vec<Bar> = t
        .top
        .into_iter()
        .enumerate()
        .map(|(i, (k, n))| Bar { label: label(k), color: color(k, i), key: k.to_string(), value: n, segments: vec![] })
        .collect();
    if others > 0 {
        bars.push(Bar {
            label: format!("Autres ({others})"),
            color: RGBColor(200, 200, 200),
            key: String::new(),
            value: rest,
            segments: vec![],
        });
    }
    (total, bars)
}

/// The dimension a chart counts by.
fn dimension(kind: Kind) -> Dimension {
    match kind {
        Kind::IndividuelCollectif => Dimension::IndividuelCollectif,
        Kind::Qpv => Dimension::Qpv,
        Kind::Typologie => Dimension::Typologie,
        Kind::Financement => Dimension::Financement,
        Kind::Communes => Dimension::Commune,
        Kind::Bailleurs => Dimension::Bailleur,
        Kind::Reservataires | Kind::Synthese | Kind::EtatReservation => Dimension::Reservataire,
    }
}

/// The bar a filter chooses on a chart's own dimension (a click on a bar sets it), if any.
pub fn choix(f: &Filtre, kind: Kind) -> Option<String> {
    match kind {
        Kind::Communes => f.commune.clone(),
        Kind::Bailleurs => f.bailleur.clone(),
        Kind::Qpv => f.qpv.map(|q| qpv_key(q).to_string()),
        Kind::IndividuelCollectif => f.individuel_collectif.map(|i| i.as_str().to_string()),
        Kind::Reservataires | Kind::EtatReservation => f.reservataire.clone().map(String::from),
        Kind::Typologie | Kind::Financement | Kind::Synthese => None,
    }
}

/// Sets (`Some`) or lifts (`None`) the filter on a chart's own dimension.
pub fn fixer(f: &mut Filtre, kind: Kind, key: Option<&str>) {
    match kind {
        Kind::Communes => f.commune = key.map(str::to_string),
        Kind::Bailleurs => f.bailleur = key.map(str::to_string),
        Kind::Qpv => f.qpv = key.map(|k| k == qpv_key(true)),
        Kind::IndividuelCollectif => f.individuel_collectif = key.and_then(crate::model::IndividuelCollectif::parse),
        Kind::Reservataires | Kind::EtatReservation => f.reservataire = key.map(Reservataire::new),
        Kind::Typologie | Kind::Financement | Kind::Synthese => {}
    }
}

/// The charts of the synthesis page, in reading order.
pub const SYNTHESE: [Kind; 4] = [Kind::Reservataires, Kind::Typologie, Kind::Financement, Kind::Communes];

/// The figures of a chart, all sums of the cube.
pub fn data(cube: &Cube, kind: Kind, f: &Filtre, stock: Stock) -> ChartData {
    if kind == Kind::EtatReservation {
        // One pass: each réservataire's stock is the sum of its typologies.
        let by_typo = cube.typologies_by_reservataire(f, stock.reserve());
        let counts = Tally::new(by_typo.iter().map(|(k, c)| (*k, c.iter().sum())).collect(), MAX_BARS);
        return data_from(cube, kind, f, stock, counts, Some(by_typo));
    }
    let counts = cube.tallies(f, stock.reserve(), &[dimension(kind)], MAX_BARS).pop().unwrap_or_default();
    data_from(cube, kind, f, stock, counts, None)
}

/// The figures of the synthesis page's charts, summed in one pass.
pub fn synthese_data(cube: &Cube, f: &Filtre, stock: Stock) -> Vec<ChartData> {
    let dims: Vec<Dimension> = SYNTHESE.iter().map(|k| dimension(*k)).collect();
    cube.tallies(f, stock.reserve(), &dims, MAX_BARS)
        .into_iter()
        .zip(SYNTHESE)
        .map(|(counts, k)| data_from(cube, k, f, stock, counts, None))
        .collect()
}

fn data_from(
    cube: &Cube,
    kind: Kind,
    f: &Filtre,
    stock: Stock,
    counts: Tally,
    by_typo: Option<Vec<(&str, [u64; 6])>>,
) -> ChartData {
    let same = |s: &str| s.to_string();
    let (total, mut bars) = match kind {
        Kind::IndividuelCollectif => bars_by(
            counts,
            |k| if k == "individuel" { "Individuel".into() } else { "Collectif".into() },
            |_, i| PALETTE[i],
        ),
        Kind::Qpv => {
            bars_by(counts, |k| if k == qpv_key(true) { "En QPV".into() } else { "Hors QPV".into() }, |_, i| PALETTE[i])
        }
        Kind::Typologie => {
            bars_by(counts, same, |k, _| TypologieGrille::parse(k).map(typology_color).unwrap_or(PALETTE[0]))
        }
        Kind::Financement => bars_by(counts, same, |_, i| PALETTE[i]),
        Kind::Communes => bars_by(counts, nom_commune, |_, _| PALETTE[2]),
        Kind::Bailleurs => bars_by(counts, same, |_, _| PALETTE[0]),
        Kind::Reservataires | Kind::Synthese => {
            let palette = Palette::du_cube(cube);
            bars_by(counts, libelle_reservataire, |k, _| palette.couleur(k))
        }
        Kind::EtatReservation => {
            let palette = Palette::du_cube(cube);
            let (total, mut bars) = bars_by(counts, libelle_reservataire, |k, _| palette.couleur(k));
            // Sorted by réservataire id: looked up by binary search.
            let by_typo = by_typo.unwrap_or_else(|| cube.typologies_by_reservataire(f, stock.reserve()));
            let counts_of = |k: &str| match by_typo.binary_search_by(|(r, _)| (*r).cmp(k)) {
                Ok(i) => by_typo[i].1,
                Err(_) => [0; 6],
            };
            // « Autres »: everything minus the réservataires shown.
            let mut others = [0u64; 6];
            for (_, counts) in &by_typo {
                for (o, c) in others.iter_mut().zip(counts) {
                    *o += c;
                }
            }
            for b in bars.iter().filter(|b| !b.key.is_empty()) {
                for (o, c) in others.iter_mut().zip(counts_of(&b.key)) {
                    *o -= c;
                }
            }
            for b in &mut bars {
                let counts = if b.key.is_empty() { others } else { counts_of(&b.key) };
                b.segments = TypologieGrille::ALL
                    .iter()
                    .map(|t| (t.as_str().to_string(), counts[*t as usize], typology_color(*t)))
                    .collect();
            }
            (total, bars)
        }
    };
    if kind == Kind::Typologie {
        bars.sort_by_key(|b| TypologieGrille::parse(&b.key).map(|t| t as usize).unwrap_or(9));
    }
    ChartData { kind, title: kind.title().to_string(), total, bars }
}

const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Registers the shipped font once (plotters finds fonts by family name).
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = FONT;
        for style in [FontStyle::Normal, FontStyle::Bold, FontStyle::Italic, FontStyle::Oblique] {
            let _ = plotters::style::register_font("sans-serif", style, bytes);
        }
    });
}

/// Geometry of a drawn chart, in pixels of the target.
pub struct Layout {
    pub title_h: i32,
    pub label_w: i32,
    pub top: i32,
    pub band: f64,
    pub bar_right: i32,
}

pub fn layout(data: &ChartData, size: (u32, u32)) -> Layout {
    let (w, h) = (size.0 as i32, size.1 as i32);
    let scale = (w as f64 / 1000.0).clamp(0.6, 3.0);
    let title_h = (48.0 * scale) as i32;
    let longest = data.bars.iter().map(|b| b.label.chars().count()).max().unwrap_or(4).min(40) as f64;
    let label_w = ((longest * 8.5 + 16.0) * scale).min(w as f64 * 0.45) as i32;
    let n = data.bars.len().max(1) as f64;
    let legend_h = if data.kind == Kind::EtatReservation { (30.0 * scale) as i32 } else { 0 };
    let band = ((h - title_h - legend_h - (10.0 * scale) as i32) as f64 / n).clamp(1.0, 56.0 * scale);
    let value_w = (150.0 * scale) as i32;
    Layout { title_h: title_h + legend_h, label_w, top: title_h + legend_h, band, bar_right: w - value_w }
}

/// Why a chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum GraphiqueError {
    #[error("format d'image inconnu « {0} » : utilisez .png ou .svg")]
    Format(String),
    #[error("dessin du graphique impossible ({0})")]
    Dessin(String),
    #[error(transparent)]
    Ecriture(#[from] crate::fichier::EcritureError),
}

type DrawResult = Result<(), GraphiqueError>;

thread_local! {
    /// Set while drawing a picture (PNG, buffer): text is laid out here, glyph by glyph with
    /// its side bearings and kerning (plotters' bitmap text drops the bearings: « Métropol e »).
    static PIXEL_TEXT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a drawing into a picture (text drawn by `texte` as pixels).
fn en_pixels<T>(f: impl FnOnce() -> T) -> T {
    PIXEL_TEXT.with(|p| p.set(true));
    let r = f();
    PIXEL_TEXT.with(|p| p.set(false));
    r
}

/// A line of text with its top-left corner at `pos`: real text in an SVG, glyphs laid out
/// with ab_glyph (advances, side bearings, kerning) in a picture.
fn texte<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    (x, y): (i32, i32),
    size: f64,
    color: RGBColor,
) -> DrawResult {
    use ab_glyph::{Font, ScaleFont};
    if !PIXEL_TEXT.with(|p| p.get()) {
        return area
            .draw(&Text::new(s.to_string(), (x, y), ("sans-serif", size).into_font().color(&color)))
            .map_err(err);
    }
    let font = ab_glyph::FontRef::try_from_slice(FONT).map_err(err)?;
    let scaled = font.as_scaled(size as f32);
    let baseline = y as f32 + scaled.ascent();
    let mut caret = x as f32;
    let mut prev = None;
    let mut pixels = Vec::new();
    for c in s.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            caret += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(size as f32, ab_glyph::point(caret, baseline));
        if let Some(o) = font.outline_glyph(glyph) {
            let b = o.px_bounds();
            o.draw(|gx, gy, cov| {
                if cov > 0.02 {
                    pixels.push((b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32, cov));
                }
            });
        }
        caret += scaled.h_advance(id);
        prev = Some(id);
    }
    for (px, py, cov) in pixels {
        area.draw_pixel((px, py), &color.mix(cov.min(1.0) as f64)).map_err(err)?;
    }
    Ok(())
}

fn err<E: std::fmt::Debug>(e: E) -> GraphiqueError {
    GraphiqueError::Dessin(format!("{e:?}"))
}

/// Draws a chart on any plotters area (bitmap or SVG).
pub fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, data: &ChartData, sous_titre: &str) -> DrawResult {
    register_fonts();
    area.fill(&WHITE).map_err(err)?;
    let (w, h) = area.dim_in_pixel();
    let scale = (w as f64 / 1000.0).clamp(0.6, 3.0);
    let px = |v: f64| (v * scale) as i32;
    let l = layout(data, (w, h));
    texte(area, &data.title, (px(12.0), px(8.0)), 22.0 * scale, BLACK)?;
    texte(
        area,
        &format!("{sous_titre} — {}", crate::format::logements(data.total)),
        (px(12.0), px(36.0)),
        13.0 * scale,
        RGBColor(60, 60, 60),
    )?;
    if data.kind == Kind::EtatReservation {
        for (i, t) in TypologieGrille::ALL.iter().enumerate() {
            let x = l.label_w + px(70.0) * i as i32;
            let y = l.top - px(26.0);
            area.draw(&Rectangle::new([(x, y), (x + px(14.0), y + px(14.0))], typology_color(*t).filled()))
                .map_err(err)?;
            texte(area, t.as_str(), (x + px(18.0), y), 13.0 * scale, BLACK)?;
        }
    }
    let max = data.bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let span = (l.bar_right - l.label_w - px(8.0)).max(1) as f64;
    let label_font = (l.band * 0.55 / scale).clamp(9.0, 16.0);
    for (i, b) in data.bars.iter().enumerate() {
        let y0 = l.top + (i as f64 * l.band) as i32;
        let y1 = l.top + ((i as f64 + 1.0) * l.band) as i32;
        let pad = ((y1 - y0) as f64 * 0.15) as i32;
        let label: String = if b.label.chars().count() > 40 {
            b.label.chars().take(39).collect::<String>() + "…"
        } else {
            b.label.clone()
        };
        texte(area, &label, (px(8.0), y0 + pad), label_font * scale, BLACK)?;
        let x0 = l.label_w;
        let x1 = x0 + (b.value as f64 / max * span) as i32;
        if b.segments.is_empty() {
            area.draw(&Rectangle::new([(x0, y0 + pad), (x1.max(x0 + 1), y1 - pad)], b.color.filled())).map_err(err)?;
        } else {
            let mut x = x0;
            for (_, v, c) in &b.segments {
                let dx = (*v as f64 / max * span) as i32;
                if dx > 0 {
                    area.draw(&Rectangle::new([(x, y0 + pad), (x + dx, y1 - pad)], c.filled())).map_err(err)?;
                }
                x += dx;
            }
        }
        texte(
            area,
            &format!("{} ({})", entier(b.value), pourcent(b.value, data.total)),
            (x1 + px(6.0), y0 + pad),
            label_font * scale,
            BLACK,
        )?;
    }
    Ok(())
}

/// Draws a chart kind; the synthesis page combines four charts.
pub fn draw_kind<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    cube: &Cube,
    kind: Kind,
    f: &Filtre,
    stock: Stock,
    sous_titre: &str,
) -> DrawResult {
    if kind == Kind::Synthese {
        area.fill(&WHITE).map_err(err)?;
        draw_synthese(area, &synthese_data(cube, f, stock), sous_titre)?;
        return Ok(());
    }
    draw(area, &data(cube, kind, f, stock), sous_titre)
}

/// The synthesis page: its four charts on a 2 × 2 grid.
fn draw_synthese<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, all: &[ChartData], sous_titre: &str) -> DrawResult {
    for (a, d) in area.split_evenly((2, 2)).iter().zip(all) {
        draw(a, d, sous_titre)?;
    }
    Ok(())
}

/// Writes a chart to a PNG (at least 1600 px wide) or an SVG file, by extension.
pub fn export(
    cube: &Cube,
    kind: Kind,
    f: &Filtre,
    stock: Stock,
    sous_titre: &str,
    out: &std::path::Path,
) -> DrawResult {
    let n = data(cube, if kind == Kind::Synthese { Kind::Reservataires } else { kind }, f, stock).bars.len() as u32;
    let w = 2000u32;
    let h = if kind == Kind::Synthese { 1600 } else { (300 + n * 56).clamp(700, 6000) };
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if ext != "png" && ext != "svg" {
        return Err(GraphiqueError::Format(ext));
    }
    crate::fichier::write_atomically(out, |tmp| {
        if ext == "png" {
            let root = BitMapBackend::new(tmp, (w, h)).into_drawing_area();
            en_pixels(|| draw_kind(&root, cube, kind, f, stock, sous_titre)).and_then(|_| root.present().map_err(err))
        } else {
            let root = SVGBackend::new(tmp, (w / 2, h / 2)).into_drawing_area();
            draw_kind(&root, cube, kind, f, stock, sous_titre).and_then(|_| root.present().map_err(err))
        }
    })?;
    Ok(())
}

/// The progress of a bilan: for each réservataire its objective of the period (grey) against
/// its décomptes (blue); under it, the cumulative décomptes of all réservataires month by
/// month against the objective pro rata temporis. Sized with the text, for projection.
pub fn draw_bilan<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, b: &crate::suivi::bilan::Bilan) -> DrawResult {
    register_fonts();
    area.fill(&WHITE).map_err(err)?;
    let (w, h) = area.dim_in_pixel();
    let scale = (w as f64 / 1000.0).clamp(0.6, 3.0);
    let px = |v: f64| (v * scale) as i32;
    let font = |size: f64| ("sans-serif", size * scale).into_font();
    let titre = format!(
        "Avancement du flux — du {} au {}{}",
        crate::format::date_fr(&b.debut),
        crate::format::date_fr(&b.fin),
        b.bailleur.as_ref().map(|x| format!(" — {x}")).unwrap_or_default()
    );
    texte(area, &titre, (px(12.0), px(8.0)), 22.0 * scale, BLACK)?;
    let gris = RGBColor(150, 150, 150);
    let bleu = RGBColor(0, 90, 160);
    texte(area, "■ objectif de la période", (px(12.0), px(34.0)), 13.0 * scale, RGBColor(90, 90, 90))?;
    texte(area, "■ décomptés", (px(220.0), px(34.0)), 13.0 * scale, bleu)?;
    let rows: Vec<_> = b.reservataires.iter().filter(|r| r.objectif > 0 || r.decomptes > 0).collect();
    let (haut, bas) = area.split_vertically(h as i32 * 62 / 100);
    let top = px(60.0);
    let band = ((haut.dim_in_pixel().1 as i32 - top) as f64 / rows.len().max(1) as f64).min(48.0 * scale);
    let label_w = px(300.0);
    let right = w as i32 - px(120.0);
    let max = rows.iter().map(|r| r.objectif_periode.max(r.decomptes as f64)).fold(1.0, f64::max);
    let span = (right - label_w).max(1) as f64;
    let label_font = (band * 0.45 / scale).clamp(9.0, 15.0);
    for (i, r) in rows.iter().enumerate() {
        let y0 = top + (i as f64 * band) as i32;
        let half = (band * 0.4) as i32;
        texte(&haut, &libelle_reservataire(&r.id), (px(8.0), y0 + half / 2), label_font * scale, BLACK)?;
        let xo = label_w + (r.objectif_periode / max * span) as i32;
        let xd = label_w + (r.decomptes as f64 / max * span) as i32;
        haut.draw(&Rectangle::new([(label_w, y0), (xo.max(label_w + 1), y0 + half)], gris.filled())).map_err(err)?;
        haut.draw(&Rectangle::new([(label_w, y0 + half + 2), (xd.max(label_w + 1), y0 + 2 * half + 2)], bleu.filled()))
            .map_err(err)?;
        texte(
            &haut,
            &format!("{} / {}", entier(r.decomptes), crate::format::logements_fr(r.objectif_periode, 1)),
            (xo.max(xd) + px(6.0), y0 + half / 2),
            label_font * scale,
            BLACK,
        )?;
    }
    // Cumulative décomptes of the period, month by month, against the objective pro rata.
    let mois = b.cumul_mensuel.values().map(|v| v.len()).max().unwrap_or(0);
    if mois > 0 {
        let total: Vec<u64> =
            (0..mois).map(|m| b.cumul_mensuel.values().map(|v| v[m.min(v.len() - 1)]).sum()).collect();
        let objectif = b.total().objectif_periode;
        let ymax = (total.last().copied().unwrap_or(0) as f64).max(objectif).max(1.0) * 1.1;
        let mut chart = ChartBuilder::on(&bas)
            .margin(px(12.0))
            .caption("Décomptés cumulés, mois par mois, et objectif au prorata", font(15.0))
            .x_label_area_size(px(36.0))
            .y_label_area_size(px(60.0))
            .build_cartesian_2d(0f64..mois as f64, 0f64..ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(mois.min(12))
            .x_label_formatter(&|x| entier(x.round().max(0.0) as u64))
            .y_label_formatter(&|y| entier(y.round().max(0.0) as u64))
            .x_desc("fin du mois n° de la période")
            .label_style(font(12.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                (0..mois).map(|m| (m as f64 + 1.0, total[m] as f64)),
                bleu.stroke_width(px(3.0) as u32),
            ))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (mois as f64, objectif)], gris.stroke_width(px(2.0) as u32)))
            .map_err(err)?;
    }
    Ok(())
}

/// Writes the progress chart of a bilan as PNG (2 000 px wide) or SVG (real text).
pub fn export_bilan(b: &crate::suivi::bilan::Bilan, out: &std::path::Path) -> DrawResult {
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if ext != "png" && ext != "svg" {
        return Err(GraphiqueError::Format(ext));
    }
    let n = b.reservataires.len() as u32;
    let (w, h) = (2000u32, (900 + n * 70).clamp(1200, 4000));
    crate::fichier::write_atomically(out, |tmp| {
        if ext == "png" {
            let root = BitMapBackend::new(tmp, (w, h)).into_drawing_area();
            en_pixels(|| draw_bilan(&root, b)).and_then(|_| root.present().map_err(err))
        } else {
            let root = SVGBackend::new(tmp, (w / 2, h / 2)).into_drawing_area();
            draw_bilan(&root, b).and_then(|_| root.present().map_err(err))
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consolidate::Cellule;
    use crate::model::{Financement, IndividuelCollectif};

    fn cube() -> Cube {
        let c = |r: &str, t: TypologieGrille, n: u64| Cellule {
            bailleur: "B".into(),
            commune: "06004".into(),
            epci: "240600585".into(),
            reservataire: r.into(),
            financement: Financement::Plus,
            typologie: t,
            qpv: false,
            individuel_collectif: IndividuelCollectif::Collectif,
            logements: n,
        };
        Cube::new(
            None,
            vec![
                c("etat", TypologieGrille::T2, 30),
                c("etat", TypologieGrille::T3, 12),
                c("non-reserve", TypologieGrille::T3, 58),
            ],
        )
    }

    #[test]
    fn chart_figures_are_sums_of_the_cube() {
        let d = data(&cube(), Kind::Reservataires, &Filtre::default(), Stock::Tout);
        assert_eq!(d.total, 100);
        assert_eq!(d.bars[0].key, "non-reserve");
        assert_eq!(d.bars[1].value, 42);
        let r = data(&cube(), Kind::Reservataires, &Filtre::default(), Stock::Reserve);
        assert_eq!(r.total, 42);
        let e = data(&cube(), Kind::EtatReservation, &Filtre::default(), Stock::Tout);
        let etat = e.bars.iter().find(|b| b.key == "etat").unwrap();
        assert_eq!(etat.segments.iter().map(|s| s.1).sum::<u64>(), 42);
    }

    #[test]
    fn a_chart_sets_and_reads_its_own_filter() {
        for (kind, key) in [
            (Kind::Communes, "06004"),
            (Kind::Bailleurs, "Azur"),
            (Kind::Qpv, qpv_key(true)),
            (Kind::Qpv, qpv_key(false)),
            (Kind::IndividuelCollectif, "individuel"),
            (Kind::Reservataires, "etat"),
        ] {
            let mut f = Filtre::default();
            fixer(&mut f, kind, Some(key));
            assert_eq!(choix(&f, kind).as_deref(), Some(key), "{kind:?}");
            fixer(&mut f, kind, None);
            assert_eq!(f, Filtre::default(), "{kind:?}");
        }
        assert_eq!(choix(&Filtre::default(), Kind::Typologie), None);
    }

    #[test]
    fn colours_are_stable_and_distinct() {
        let mut ids: Vec<String> = (1..=20).map(|i| format!("commune:83{i:03}")).collect();
        ids.extend(
            ["etat", "etat-fonctionnaires", "action-logement", "defense", "non-reserve", "epci:200054807"]
                .map(String::from),
        );
        ids.push("departement:83".into());
        ids.sort();
        let p = Palette::new(&ids);
        let colours: Vec<RGBColor> = ids.iter().map(|id| p.couleur(id)).collect();
        for (i, a) in colours.iter().enumerate() {
            for (j, b) in colours.iter().enumerate().skip(i + 1) {
                assert_ne!(a, b, "{} et {} ont la même couleur", ids[i], ids[j]);
            }
        }
        // Whatever else the dossier holds, the State keeps its colour.
        assert_eq!(p.couleur("etat"), Palette::new(&["etat".to_string()]).couleur("etat"));
        assert_eq!(p.couleur("etat"), RGBColor(0, 114, 178));
        // A commune's colour is its rank among the dossier's réservataires without a fixed
        // colour: the réservataires with a fixed colour do not move it, nor one sorted after it;
        // one sorted before it shifts it by one.
        assert_eq!(p.couleur("commune:83001"), COLLECTIVITES[0], "the first commune takes the first free colour");
        assert_eq!(p.couleur("commune:83005"), COLLECTIVITES[4]);
        let sans_fixes: Vec<String> = ids.iter().filter(|i| fixed_color(i).is_none()).cloned().collect();
        assert!(sans_fixes.len() < ids.len());
        for id in &sans_fixes {
            assert_eq!(Palette::new(&sans_fixes).couleur(id), p.couleur(id), "{id}");
        }
        let mut apres = ids.clone();
        apres.push("commune:83999".into());
        apres.sort();
        assert_eq!(Palette::new(&apres).couleur("commune:83005"), COLLECTIVITES[4]);
        let mut avant = ids.clone();
        avant.push("commune:00001".into());
        avant.sort();
        assert_eq!(Palette::new(&avant).couleur("commune:00001"), COLLECTIVITES[0]);
        assert_eq!(Palette::new(&avant).couleur("commune:83005"), COLLECTIVITES[5]);
        let fewer: Vec<String> = ids.iter().filter(|i| *i != "commune:83001").cloned().collect();
        assert_eq!(Palette::new(&fewer).couleur("commune:83002"), COLLECTIVITES[0]);
    }

    #[test]
    fn typologies_have_their_own_ordered_colours() {
        let dist = |a: RGBColor, b: RGBColor| {
            let d = |x: u8, y: u8| (x as f64 - y as f64).powi(2);
            (d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)).sqrt()
        };
        let lum = |c: RGBColor| 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
        let colours: Vec<RGBColor> = TypologieGrille::ALL.iter().map(|t| typology_color(*t)).collect();
        for (i, a) in colours.iter().enumerate() {
            // Far from every fixed réservataire's colour (State, Action Logement, Défense, …).
            for (id, f) in FIXES {
                assert!(dist(*a, f) > 50.0, "{} trop proche de la couleur de {id}", TypologieGrille::ALL[i]);
            }
            // Lighter for the small dwellings, darker for the large.
            if let Some(b) = colours.get(i + 1) {
                assert!(lum(*a) > lum(*b) + 20.0, "{} / {}", TypologieGrille::ALL[i], TypologieGrille::ALL[i + 1]);
            }
        }
        // The charts use them.
        let cube = Cube::new(
            None,
            TypologieGrille::ALL
                .iter()
                .map(|t| crate::consolidate::Cellule {
                    bailleur: "B".into(),
                    commune: "83137".into(),
                    epci: "248300543".into(),
                    reservataire: "etat".into(),
                    financement: crate::model::Financement::Plus,
                    typologie: *t,
                    qpv: false,
                    individuel_collectif: crate::model::IndividuelCollectif::Collectif,
                    logements: 1,
                })
                .collect(),
        );
        let d = data(&cube, Kind::Typologie, &Filtre::default(), Stock::Tout);
        assert_eq!(d.bars.iter().map(|b| b.color).collect::<Vec<_>>(), colours);
    }
}

#[cfg(test)]
mod cap_tests {
    use super::*;
    use crate::consolidate::Cellule;
    use crate::model::{Financement, IndividuelCollectif};

    #[test]
    fn small_bars_are_grouped_and_the_total_is_kept() {
        let cells: Vec<Cellule> = (0..50)
            .map(|i| Cellule {
                bailleur: format!("B{i:02}"),
                commune: "06004".into(),
                epci: "240600585".into(),
                reservataire: "etat".into(),
                financement: Financement::Plus,
                typologie: TypologieGrille::T3,
                qpv: false,
                individuel_collectif: IndividuelCollectif::Collectif,
                logements: 100 - i,
            })
            .collect();
        let cube = Cube::new(None, cells);
        let d = data(&cube, Kind::Bailleurs, &Filtre::default(), Stock::Tout);
        assert_eq!(d.bars.len(), MAX_BARS + 1);
        assert_eq!(d.bars.last().unwrap().label, "Autres (20)");
        assert_eq!(d.bars.iter().map(|b| b.value).sum::<u64>(), d.total);
        let e = data(&cube, Kind::EtatReservation, &Filtre::default(), Stock::Tout);
        assert_eq!(e.bars.iter().map(|b| b.segments.iter().map(|s| s.1).sum::<u64>()).sum::<u64>(), e.total);
    }
}
