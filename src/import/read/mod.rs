//! Containers: the bytes of a file become named sheets of cells. Spreadsheets go through
//! calamine; CSV/TXT are decoded (UTF-8 with or without BOM, UTF-16, Windows-1252) and
//! split on the separator found in their first lines.

use calamine::{CellErrorType, Data, DataRef, Dimensions, Ods, Range, Reader, SheetVisible, Xls, Xlsb, Xlsx};
use std::borrow::Cow;
use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex};

mod texte;

use texte::read_csv;
pub use texte::{decode_text, detect_separator};

/// Rows read up front from a large `.xlsx` sheet (header detection looks at the first 60).
pub const HEAD_ROWS: u32 = 400;

/// A cell of an `.xlsx` holding a formula whose value was never calculated (a file written by
/// a script that does not recalculate: `<f>…</f><v/>`), wherever it is in the sheet. It reads
/// as blank everywhere (an error cell), and a row that holds one in a column it reads is set
/// aside ([`crate::model::Motif::FormuleSansValeur`]) instead of being read as blank. Excel's
/// own « #GETTING_DATA » means the same: a value not calculated yet.
pub const FORMULE_SANS_VALEUR: Data = Data::Error(CellErrorType::GettingData);

/// Whether a cell is [`FORMULE_SANS_VALEUR`].
pub fn est_formule_sans_valeur(d: &Data) -> bool {
    matches!(d, Data::Error(CellErrorType::GettingData))
}

/// A cell read with its formula, if any: a formula without a value is [`FORMULE_SANS_VALEUR`].
/// (A formula whose value is an empty text is a value: blank.)
fn valeur_de(value: &DataRef, formule: bool) -> Option<Data> {
    (formule && matches!(value, DataRef::Empty)).then_some(FORMULE_SANS_VALEUR)
}

/// The bytes of a file, shared between the sheets read from it and the streaming thread.
#[derive(Clone)]
pub struct SharedBytes(pub Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// An opened `.xlsx` workbook whose shared strings are already parsed: streaming the rest of
/// a sheet reuses it instead of parsing them a second time.
#[derive(Clone)]
pub struct OpenWorkbook(pub Arc<Mutex<Xlsx<Cursor<SharedBytes>>>>);

impl std::fmt::Debug for OpenWorkbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpenWorkbook")
    }
}

#[derive(Debug)]
/// One sheet of a file. For CSV, `row_numbers[i]` is the file line of row `i`.
pub struct SheetData {
    pub name: Option<String>,
    pub hidden: bool,
    pub range: Range<Data>,
    pub row_numbers: Option<Vec<u32>>,
    /// For a large `.xlsx` sheet, `range` holds only its first rows and the rest is streamed
    /// from the open workbook (see [`stream_rest`]), so reading overlaps normalising.
    pub rest: Option<Rest>,
    /// CSV lines that cannot be read as a row (a quote opened and never closed, or closed in
    /// the middle of a field): (line number, its text). Each is set aside (`ligne_illisible`)
    /// when it lies below the header; the other lines are read as usual.
    pub illisibles: Vec<(u32, String)>,
    /// The merged regions of the sheet that span several rows (see [`Fusions`]).
    pub fusions: Fusions,
}

/// The merged regions of a sheet spanning several rows, sorted by their first row. A file
/// edited by hand merges a residence's identical values down a column (« PLUS » over twelve
/// rows): the reader gives the value in the region's first cell only, and every other row
/// of the region reads as blank. In the data area, each row of such a region reads its left
/// column as the region's top-left value ([`Remplissage`]); the other columns of the region
/// stay blank, as on its first row (a value is never copied into a second field). A region
/// of one row (a title merged across the table) is not one: its row holds one value.
/// Read for `.xlsx`/`.xlsm` and `.xls`; calamine gives no merged regions for `.ods` and
/// `.xlsb`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fusions(Vec<Dimensions>);

impl Fusions {
    pub fn new(regions: impl IntoIterator<Item = Dimensions>) -> Self {
        let mut v: Vec<Dimensions> = regions.into_iter().filter(|d| d.end.0 > d.start.0).collect();
        v.sort_by_key(|d| (d.start.0, d.start.1));
        Fusions(v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Fills the rows of a sheet, read top to bottom, from its merged regions ([`Fusions`]):
/// each region's value is its top-left cell, taken from the first rows already read
/// (`head`) or from its own row as it goes by.
#[derive(Debug, Clone, Default)]
pub struct Remplissage {
    regions: Vec<Dimensions>,
    next: usize,
    /// The regions covering the current row, with their value.
    actives: Vec<(Dimensions, Data)>,
}

impl Remplissage {
    /// For the rows from absolute row `from_row` (0-based) on; the regions starting above
    /// it take their value from `head`.
    pub fn new(f: &Fusions, from_row: u32, head: &Range<Data>) -> Self {
        let mut r = Remplissage { regions: f.0.clone(), next: 0, actives: Vec::new() };
        while let Some(d) = r.regions.get(r.next).copied()
            && d.start.0 < from_row
        {
            r.next += 1;
            if d.end.0 >= from_row {
                r.actives.push((d, head.get_value(d.start).cloned().unwrap_or(Data::Empty)));
            }
        }
        r
    }

    /// Row `r` (absolute, 0-based; rows in increasing order) goes by with its cells from
    /// column A: the regions starting on it take their value from it. Whether a region
    /// covers it below its first row (the row is to be filled by [`Self::remplit`]).
    pub fn avance(&mut self, r: u32, row: &[Data]) -> bool {
        if self.regions.is_empty() {
            return false;
        }
        self.actives.retain(|(d, _)| d.end.0 >= r);
        while let Some(d) = self.regions.get(self.next).copied()
            && d.start.0 <= r
        {
            self.next += 1;
            if d.end.0 >= r {
                // A first row never given (no cell in it) is blank.
                let v = if d.start.0 == r { row.get(d.start.1 as usize).cloned() } else { None };
                self.actives.push((d, v.unwrap_or(Data::Empty)));
            }
        }
        self.actives.iter().any(|(d, _)| d.start.0 < r)
    }

    /// Writes the value of each region covering row `r` below its first row in its left
    /// column.
    pub fn remplit(&self, r: u32, row: &mut Vec<Data>) {
        for (d, v) in self.actives.iter().filter(|(d, _)| d.start.0 < r) {
            let c = d.start.1 as usize;
            if row.len() <= c {
                row.resize(c + 1, Data::Empty);
            }
            row[c] = v.clone();
        }
    }
}

/// The part of a large `.xlsx` sheet still to stream.
#[derive(Debug, Clone)]
pub struct Rest {
    pub workbook: OpenWorkbook,
    /// The last row (0-based) the sheet declares, for progress and sizing.
    pub last_row: u32,
}

impl SheetData {
    /// A sheet read whole: its rows numbered from the range, nothing streamed, no unreadable line.
    pub fn entiere(name: Option<String>, hidden: bool, range: Range<Data>, fusions: Fusions) -> Self {
        SheetData { name, hidden, range, row_numbers: None, rest: None, illisibles: vec![], fusions }
    }

    /// The rows held in `range` from index `from`, with the row number a user sees.
    pub fn data_rows(&self, from: usize) -> impl Iterator<Item = (u32, &[Data])> {
        self.range.rows().enumerate().skip(from).map(|(i, r)| (self.row_number(i), r))
    }

    /// Like [`Self::data_rows`], each row read with the sheet's merged regions
    /// ([`Fusions`]): the rows of the data area as the user sees them.
    pub fn lignes(&self, from: usize) -> impl Iterator<Item = (u32, Cow<'_, [Data]>)> {
        let start = self.range.start().map_or(0, |(r, _)| r);
        let mut remplissage = Remplissage::new(&self.fusions, start + from as u32, &self.range);
        self.data_rows(from).enumerate().map(move |(i, (ligne, row))| {
            let r = start + (from + i) as u32;
            if remplissage.avance(r, row) {
                let mut v = row.to_vec();
                remplissage.remplit(r, &mut v);
                (ligne, Cow::Owned(v))
            } else {
                (ligne, Cow::Borrowed(row))
            }
        })
    }

    /// The 1-based row number a user sees in a spreadsheet app (or the CSV line).
    pub fn row_number(&self, i: usize) -> u32 {
        match &self.row_numbers {
            Some(v) => v[i],
            None => self.range.start().map(|(r, _)| r).unwrap_or(0) + i as u32 + 1,
        }
    }
}

/// Why a file cannot be read at all (the message is for the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, ReadError> {
    Err(ReadError(msg.into()))
}

/// Reads every sheet of a file from its bytes; the format is recognised from the content,
/// not from the extension.
pub fn read_sheets(bytes: &[u8]) -> Result<Vec<SheetData>, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return err("le fichier est vide");
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        if contains_utf16(bytes, "EncryptedPackage") {
            return err(
                "le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe puis réimportez-le",
            );
        }
        let wb = Xls::new(Cursor::new(bytes)).map_err(|e| {
            let m = e.to_string().to_lowercase();
            if m.contains("password") || m.contains("encrypt") {
                ReadError(
                    "le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe puis réimportez-le"
                        .into(),
                )
            } else {
                ReadError(format!("classeur Excel 97-2003 illisible ou endommagé ({e})"))
            }
        })?;
        return sheets_of(wb, |wb, name| wb.merge_cells_by_sheet_name(name));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        if let Ok(wb) = Xlsx::new(Cursor::new(bytes)) {
            let fusionne = xlsx_a_des_fusions(bytes);
            return sheets_of(wb, |wb, name| if fusionne { wb.merge_cells_by_sheet_name(name) } else { Ok(vec![]) });
        }
        // calamine gives no merged regions for .xlsb and .ods.
        if let Ok(wb) = Xlsb::new(Cursor::new(bytes)) {
            if xlsb_a_des_cellules_courtes(bytes) {
                return err(
                    "classeur .xlsb écrit sous une forme abrégée (des cellules sans numéro de colonne, comme l'écrivent d'autres logiciels qu'Excel) que Contingents ne sait pas lire sans en perdre : ouvrez-le dans Excel ou LibreOffice Calc, enregistrez-le au format .xlsx et importez ce fichier",
                );
            }
            return sheets_of(wb, |_, _| Ok(vec![]));
        }
        if let Ok(wb) = Ods::new(Cursor::new(bytes)) {
            return sheets_of(wb, |_, _| Ok(vec![]));
        }
        return err(
            "archive tronquée, endommagée, ou qui ne contient pas de classeur (xlsx, xlsm, xlsb, ods) : demandez au bailleur un nouvel export",
        );
    }
    read_csv(bytes)
}

/// Like [`read_sheets`], but a large `.xlsx` sheet is read only up to [`HEAD_ROWS`]; the
/// import streams the rest with [`stream_rest`].
pub fn read_sheets_shared(bytes: Arc<Vec<u8>>) -> Result<Vec<SheetData>, ReadError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return read_sheets(&bytes);
    }
    // Whether the sheets have merged cells is searched on another thread while calamine
    // opens the workbook (shared strings) and reads the first rows: the search inflates the
    // whole archive a second time (for 1 000 000 rows, about 0,2 s of processor, as long as
    // opening the workbook).
    std::thread::scope(|scope| {
        let recherche = scope.spawn(|| xlsx_a_des_fusions(&bytes));
        let fusionne = || recherche.join().unwrap_or(true);
        let Ok(wb) = Xlsx::new(Cursor::new(SharedBytes(bytes.clone()))) else { return read_sheets(&bytes) };
        heads(wb, fusionne)
    })
}

/// The first rows of each sheet of an opened `.xlsx` ([`read_sheets_shared`]); `fusionne`
/// says, once they are read, whether the archive has merged cells to read.
fn heads(mut wb: Xlsx<Cursor<SharedBytes>>, fusionne: impl FnOnce() -> bool) -> Result<Vec<SheetData>, ReadError> {
    let meta: Vec<(String, bool, bool)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible, s.typ == calamine::SheetType::WorkSheet))
        .collect();
    let mut out = Vec::new();
    for (name, hidden, is_worksheet) in meta {
        if !is_worksheet {
            continue;
        }
        let read_error = |e: calamine::XlsxError| {
            ReadError(format!("feuille « {name} » illisible ({e}) : le fichier est peut-être endommagé"))
        };
        let mut cr = wb.worksheet_cells_reader(&name).map_err(read_error)?;
        let declared_last_row = cr.dimensions().end.0;
        let mut cells: Vec<(u32, u32, Data)> = Vec::new();
        let mut first_row = None;
        let mut more = false;
        while let Some(c) = cr.next_cell_with_formula_metadata().map_err(read_error)? {
            let (r, col) = c.pos;
            let first = *first_row.get_or_insert(r);
            if r >= first + HEAD_ROWS {
                more = true;
                break;
            }
            let d = valeur_de(&c.value, c.formula.is_some()).unwrap_or_else(|| Data::from(c.value.clone()));
            cells.push((r, col, d));
        }
        drop(cr);
        let range = match (cells.iter().map(|c| c.0).min(), cells.iter().map(|c| c.0).max()) {
            (Some(r0), Some(r1)) => {
                let width = cells.iter().map(|c| c.1).max().unwrap_or(0);
                let mut range = Range::new((r0, 0), (r1, width));
                for (r, c, v) in cells {
                    range.set_value((r, c), v);
                }
                range
            }
            _ => Range::empty(),
        };
        let last_row = range.end().map_or(0, |(r, _)| r).max(declared_last_row);
        out.push((SheetData::entiere(Some(name), hidden, range, Fusions::default()), more.then_some(last_row)));
    }
    if out.is_empty() {
        return err("le classeur ne contient aucune feuille de données");
    }
    if fusionne() {
        for (s, _) in &mut out {
            let name = s.name.as_deref().unwrap_or_default();
            let regions = wb.merge_cells_by_sheet_name(name).map_err(|e| {
                ReadError(format!("feuille « {name} » illisible ({e}) : le fichier est peut-être endommagé"))
            })?;
            s.fusions = Fusions::new(regions);
        }
    }
    let wb = OpenWorkbook(Arc::new(Mutex::new(wb)));
    Ok(out
        .into_iter()
        .map(|(mut s, more)| {
            s.rest = more.map(|last_row| Rest { workbook: wb.clone(), last_row });
            s
        })
        .collect())
}

/// Rows in transit from the streaming thread: (row number as shown, cells from column A).
pub type RowBatch = Vec<(u32, Vec<Data>)>;

/// Rows per batch sent by [`stream_rest`].
pub const BATCH_ROWS: usize = 2048;

/// Streams the rows of an `.xlsx` sheet from absolute row `from_row` (0-based), in batches.
/// Stops early when `send` returns false. Batches handed back through `recycle` are refilled
/// in place: their strings keep their capacity, so a steady stream allocates nothing and no
/// memory is freed on another thread than the one that allocated it.
pub fn stream_rest(
    wb: &OpenWorkbook,
    sheet: &str,
    from_row: u32,
    mut remplissage: Remplissage,
    mut recycle: impl FnMut() -> Option<RowBatch>,
    mut send: impl FnMut(RowBatch) -> bool,
) -> Result<(), ReadError> {
    let read_error = |e: calamine::XlsxError| {
        ReadError(format!("feuille « {sheet} » illisible ({e}) : le fichier est peut-être endommagé"))
    };
    let mut wb = wb.0.lock().unwrap_or_else(|p| p.into_inner());
    let mut cr = wb.worksheet_cells_reader(sheet).map_err(read_error)?;
    let mut batch: RowBatch = Vec::with_capacity(BATCH_ROWS);
    // Rows of `batch` already filled; rows beyond are recycled storage.
    let mut filled = 0usize;
    let mut current: Option<u32> = None;
    let mut next_col = 0usize;
    // With each cell's formula, if any: one without a value is said, not read as blank.
    while let Some(c) = cr.next_cell_with_formula_metadata().map_err(read_error)? {
        let (r, col) = c.pos;
        if r < from_row {
            continue;
        }
        if current != Some(r) {
            if let Some(prev) = current {
                finish_row(&mut batch[filled - 1].1, next_col, prev, &mut remplissage);
                batch[filled - 1].0 = prev + 1;
                if filled == BATCH_ROWS {
                    batch.truncate(filled);
                    let next = recycle().unwrap_or_else(|| Vec::with_capacity(BATCH_ROWS));
                    if !send(std::mem::replace(&mut batch, next)) {
                        return Ok(());
                    }
                    filled = 0;
                }
            }
            if filled == batch.len() {
                batch.push((0, Vec::new()));
            }
            filled += 1;
            current = Some(r);
            next_col = 0;
        }
        let row = &mut batch[filled - 1].1;
        let col = col as usize;
        if col >= row.len() {
            row.resize(col + 1, Data::Empty);
        }
        // Cells normally come left to right; a file may give them in any order.
        if col > next_col {
            for d in &mut row[next_col..col] {
                *d = Data::Empty;
            }
        }
        match valeur_de(&c.value, c.formula.is_some()) {
            Some(d) => row[col] = d,
            None => assign(&mut row[col], &c.value),
        }
        next_col = next_col.max(col + 1);
    }
    if let Some(prev) = current {
        finish_row(&mut batch[filled - 1].1, next_col, prev, &mut remplissage);
        batch[filled - 1].0 = prev + 1;
        batch.truncate(filled);
        send(batch);
    }
    Ok(())
}

/// Drops the cells of a recycled row beyond the last one this row filled, and fills the row
/// (absolute row `r`) from the merged regions covering it.
fn finish_row(row: &mut Vec<Data>, next_col: usize, r: u32, remplissage: &mut Remplissage) {
    row.truncate(next_col);
    if remplissage.avance(r, row) {
        remplissage.remplit(r, row);
    }
}

/// Stores a cell value, reusing the string already in the slot when there is one.
fn assign(slot: &mut Data, v: &DataRef) {
    match (slot, v) {
        (Data::String(s), DataRef::SharedString(v)) => {
            s.clear();
            s.push_str(v);
        }
        (Data::String(s), DataRef::String(v)) => {
            s.clear();
            s.push_str(v);
        }
        (slot, v) => *slot = Data::from(v.clone()),
    }
}

fn contains_utf16(bytes: &[u8], s: &str) -> bool {
    let pat: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(pat.len()).any(|w| w == pat.as_slice())
}

/// Whether a worksheet of an `.xlsx` archive declares merged cells: the merged regions are
/// written at the end of a sheet's XML, after all its rows, and only a full parse of the XML
/// finds them (as long as reading the sheet itself). The parts are inflated and searched for
/// `mergeCell` instead, without parsing (for 1 000 000 rows, a tenth of the reading's CPU);
/// calamine reads the regions only when there are some. An archive that cannot be searched
/// is said to have some (calamine then says what it finds).
fn xlsx_a_des_fusions(bytes: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return true };
    let finder = memchr::memmem::Finder::new(b"mergeCell");
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { return true };
        let Ok(name) = part.name().map(|n| n.to_ascii_lowercase()) else { return true };
        // The shared strings are text typed by users, not the sheets' structure.
        if !name.ends_with(".xml") || name.ends_with("sharedstrings.xml") || name.ends_with("styles.xml") {
            continue;
        }
        // The last bytes of a chunk are kept before the next one: the word may straddle them.
        let mut kept = 0;
        loop {
            let n = match part.read(&mut buf[kept..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => return true,
            };
            let end = kept + n;
            if finder.find(&buf[..end]).is_some() {
                return true;
            }
            kept = end.min(8);
            buf.copy_within(end - kept..end, 0);
        }
    }
    false
}

/// Whether a worksheet of an `.xlsb` holds « short » cell records (BrtShort*, MS-XLSB 2.5.10:
/// a cell without its column, the one after the previous cell's). Excel writes every cell in
/// full; other programs (SheetJS, Aspose…) write all cells but the first of a row short, and
/// calamine skips those: the sheet would read with cells missing, silently.
fn xlsb_a_des_cellules_courtes(bytes: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return false };
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { continue };
        let Ok(name) = part.name().map(|n| n.to_ascii_lowercase()) else { continue };
        if !(name.starts_with("xl/worksheets/") && name.ends_with(".bin")) {
            continue;
        }
        let mut b = Vec::new();
        if part.read_to_end(&mut b).is_ok() && enregistrements_courts(&b) {
            return true;
        }
    }
    false
}

/// Whether a stream of BIFF12 records holds a short cell (types 0x0C to 0x12). Each record is
/// its type (1 or 2 bytes of 7 bits, the high bit saying another follows), its length (1 to 4
/// such bytes), then its data.
fn enregistrements_courts(b: &[u8]) -> bool {
    fn entier(b: &[u8], i: &mut usize, octets: usize) -> Option<usize> {
        let mut v = 0usize;
        for k in 0..octets {
            let c = *b.get(*i)?;
            *i += 1;
            v |= ((c & 0x7F) as usize) << (7 * k);
            if c & 0x80 == 0 {
                break;
            }
        }
        Some(v)
    }
    let mut i = 0;
    while i < b.len() {
        let (Some(t), Some(l)) = (entier(b, &mut i, 2), entier(b, &mut i, 4)) else { return false };
        if (0x0C..=0x12).contains(&t) {
            return true;
        }
        i = i.saturating_add(l);
    }
    false
}

fn sheets_of<RS, R>(
    mut wb: R,
    mut fusions: impl FnMut(&mut R, &str) -> Result<Vec<Dimensions>, R::Error>,
) -> Result<Vec<SheetData>, ReadError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let meta: Vec<(String, bool, bool)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible, s.typ == calamine::SheetType::WorkSheet))
        .collect();
    let mut out = Vec::with_capacity(meta.len());
    for (name, hidden, is_worksheet) in meta {
        if !is_worksheet {
            continue;
        }
        match wb.worksheet_range(&name).and_then(|range| Ok((range, fusions(&mut wb, &name)?))) {
            Ok((range, fusions)) => out.push(SheetData::entiere(Some(name), hidden, range, Fusions::new(fusions))),
            Err(e) => return err(format!("feuille « {name} » illisible ({e}) : le fichier est peut-être endommagé")),
        }
    }
    if out.is_empty() {
        return err("le classeur ne contient aucune feuille de données");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_csv_is_decoded() {
        let bytes = b"REF;CONTINGENT\r\n001;PR\xc9FECTURE\r\n";
        let sheets = read_sheets(bytes).unwrap();
        assert_eq!(sheets[0].range.get((1, 1)), Some(&Data::String("PRÉFECTURE".into())));
        assert_eq!(sheets[0].range.get((1, 0)), Some(&Data::String("001".into())));
        assert_eq!(sheets[0].row_number(1), 2);
        // A UTF-8 file with a few Windows-1252 lines: each line in its own encoding.
        let mut bytes = "REF;CONTINGENT\n001;NON RÉSERVÉ\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"002;PR\xc9FECTURE\n");
        bytes.extend_from_slice("003;Réservé État\n".as_bytes());
        let s = &read_sheets(&bytes).unwrap()[0];
        let col: Vec<String> = (1..4).map(|r| s.range.get((r, 1)).unwrap().to_string()).collect();
        assert_eq!(col, ["NON RÉSERVÉ", "PRÉFECTURE", "Réservé État"]);
        // One NUL byte in a long file: its line set aside, named; every other line read.
        let mut text = String::from("REF;CONTINGENT\n");
        for i in 1..=1800 {
            text.push_str(&format!("{i};{}\n", if i == 900 { "Préfec\0ture" } else { "Préfecture" }));
        }
        let s = &read_sheets(text.as_bytes()).unwrap()[0];
        assert_eq!(s.range.height(), 1800, "the header and 1 799 rows");
        assert_eq!(s.illisibles, vec![(901, "900;Préfec\u{fffd}ture".to_string())]);
        // Binary content is still no text file.
        assert!(read_sheets(&[0u8, 1, 2, 3, 0, 0, 9, 0, 0, 0, 5, 6, 7, 0, 0]).is_err());
    }

    #[test]
    fn separators_are_detected() {
        assert_eq!(detect_separator("a;b;c\n1;2;3\n"), b';');
        assert_eq!(detect_separator("a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_separator("a\tb\tc\n1\t2,5\t3\n"), b'\t');
        assert_eq!(detect_separator("a;b;c\n\"1,5\";2;3\n"), b';');
    }

    #[test]
    fn a_quote_never_closed_sets_its_line_aside_and_every_other_line_is_read() {
        let mut text = String::from("REF;COMMUNE;TYPO\r\n1;Antibes;T3\r\n2;\"ANTIBES;T2\r\n");
        for i in 3..=3400 {
            text.push_str(&format!("{i};Antibes;T3\r\n"));
        }
        let s = &read_sheets(text.as_bytes()).unwrap()[0];
        assert_eq!(s.range.height(), 3400, "the header and 3 399 rows: only line 3 is missing");
        assert_eq!(s.illisibles, vec![(3, "2;\"ANTIBES;T2".to_string())]);
        assert_eq!(s.row_number(2), 4);
        assert_eq!(s.range.get((3399, 0)), Some(&Data::String("3400".into())));
        // A quote closed in the middle of a field, and one closed far below.
        let text = "REF;COMMUNE;TYPO\n1;\"Antibes\" sud;T3\n2;\"Antibes;T3\n3;Vallauris;T2\n4;Biot\";T1\n";
        let s = &read_sheets(text.as_bytes()).unwrap()[0];
        assert_eq!(s.illisibles.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![2, 3]);
        let refs: Vec<String> = (0..s.range.height()).map(|r| s.range.get((r, 0)).unwrap().to_string()).collect();
        assert_eq!(refs, ["REF", "3", "4"]);
        assert_eq!(s.range.get((2, 1)), Some(&Data::String("Biot\"".into())), "a quote inside a field is a character");
        // A cell typed over two lines in a spreadsheet stays one cell, its record one row.
        let text = "REF;ADRESSE;TYPO\n1;\"12 rue Haute\nBât. B\";T3\n2;\"3 \"\"Les Pins\"\"\";T2\n";
        let s = &read_sheets(text.as_bytes()).unwrap()[0];
        assert!(s.illisibles.is_empty());
        assert_eq!(s.range.get((1, 1)), Some(&Data::String("12 rue Haute\nBât. B".into())));
        assert_eq!(s.range.get((2, 1)), Some(&Data::String("3 \"Les Pins\"".into())));
        assert_eq!((s.row_number(1), s.row_number(2)), (2, 4));
        // Its second line may hold a separator (Alt+Entrée in Excel: « bât. B; entrée 2 »):
        // still one cell; a stray quote that swallows a whole record below is not.
        let text = "REF;ADRESSE;COMMUNE;TYPO;FIN;RES\n\
                    1;\"172 impasse des Oliviers\nbât. B; entrée 2\";Antibes;T3;PLUS;Préfecture\n\
                    2;\"3 rue Haute;Antibes;T2;PLAI;Action Logement\n\
                    3;5 rue Basse;Biot;T4;PLS;Non réservé\n\
                    4;\"9 rue Neuve\";Biot;T1;PLUS;Préfecture\n";
        let s = &read_sheets(text.as_bytes()).unwrap()[0];
        assert_eq!(s.range.get((1, 1)), Some(&Data::String("172 impasse des Oliviers\nbât. B; entrée 2".into())));
        assert_eq!(s.range.get((1, 5)), Some(&Data::String("Préfecture".into())));
        assert_eq!(s.illisibles.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![4]);
        let refs: Vec<String> = (0..s.range.height()).map(|r| s.range.get((r, 0)).unwrap().to_string()).collect();
        assert_eq!(refs, ["REF", "1", "3", "4"]);
    }

    #[test]
    fn utf16_with_or_without_its_mark_is_read() {
        let text = "REF;COMMUNE\r\n1;Antibes\r\n2;Biot\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        for bytes in [[vec![0xFF, 0xFE], le.clone()].concat(), le, be] {
            let s = &read_sheets(&bytes).unwrap()[0];
            assert_eq!(s.range.get((2, 1)), Some(&Data::String("Biot".into())));
        }
    }

    /// The rows of every sheet read as an import reads them (the first rows, then the rest
    /// streamed), from row index 1: row number as shown → its cells as text.
    fn rows_as_imported(bytes: Vec<u8>) -> Vec<(u32, Vec<String>)> {
        use crate::import::cell::cell_text;
        let sheets = read_sheets_shared(Arc::new(bytes)).unwrap();
        let s = &sheets[0];
        // Without trailing blanks (the first rows are as wide as the sheet, streamed rows not).
        let text = |r: &[Data]| {
            let mut v = r.iter().map(|d| cell_text(d).into_owned()).collect::<Vec<_>>();
            while v.last().is_some_and(String::is_empty) {
                v.pop();
            }
            v
        };
        let mut out: Vec<(u32, Vec<String>)> = s.lignes(1).map(|(l, r)| (l, text(&r))).collect();
        if let Some(rest) = &s.rest {
            let from = s.range.end().unwrap().0 + 1;
            let remplissage = Remplissage::new(&s.fusions, from, &s.range);
            stream_rest(
                &rest.workbook,
                s.name.as_deref().unwrap(),
                from,
                remplissage,
                || None,
                |b| {
                    out.extend(b.iter().map(|(l, r)| (*l, text(r))));
                    true
                },
            )
            .unwrap();
        }
        out
    }

    #[test]
    fn merged_cells_of_the_data_area_read_as_their_top_left_value() {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["Référence", "Commune", "Financement", "QPV"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for r in 1..=1000u32 {
            ws.write_string(r, 0, format!("R{r}")).unwrap();
            ws.write_string(r, 1, "Antibes").unwrap();
        }
        let f = Format::new();
        // In the first rows, across the end of the first rows read (400), in the streamed rest,
        // two columns wide, and a title merged across one row.
        ws.merge_range(1, 2, 3, 2, "PLUS", &f).unwrap();
        ws.merge_range(398, 2, 405, 2, "PLAI", &f).unwrap();
        ws.merge_range(700, 2, 702, 3, "PLS", &f).unwrap();
        ws.merge_range(800, 0, 800, 3, "Résidence Les Pins", &f).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let rows = rows_as_imported(bytes.clone());
        assert_eq!(rows.len(), 1000);
        let cell = |ligne: u32, c: usize| {
            let (_, r) = rows.iter().find(|(l, _)| *l == ligne).unwrap();
            r.get(c).cloned().unwrap_or_default()
        };
        // Row numbers as shown: absolute row r is line r + 1.
        for (ligne, financement) in [
            (2, "PLUS"),
            (3, "PLUS"),
            (4, "PLUS"),
            (5, ""),
            (398, ""),
            (399, "PLAI"),
            (400, "PLAI"),
            (401, "PLAI"),
            (406, "PLAI"),
            (407, ""),
            (701, "PLS"),
            (703, "PLS"),
            (704, ""),
        ] {
            assert_eq!(cell(ligne, 2), financement, "ligne {ligne}");
        }
        // The second column of a region stays blank, as on its first row.
        assert_eq!((cell(701, 3), cell(702, 3)), (String::new(), String::new()));
        assert_eq!(
            (cell(801, 0), cell(801, 1), cell(801, 2)),
            ("Résidence Les Pins".into(), String::new(), String::new())
        );
        assert_eq!((cell(702, 0), cell(702, 1)), ("R701".into(), "Antibes".into()));
        // The whole sheet read at once (`read_sheets`) gives the same rows.
        let s = &read_sheets(&bytes).unwrap()[0];
        let sans_fin = |r: &[Data]| {
            let n = r.iter().rposition(|d| !matches!(d, Data::Empty)).map_or(0, |i| i + 1);
            r[..n].iter().map(|d| crate::import::cell::cell_text(d).into_owned()).collect::<Vec<_>>()
        };
        let whole: Vec<(u32, Vec<String>)> = s.lignes(1).map(|(l, r)| (l, sans_fin(&r))).collect();
        assert!(whole == rows, "the sheet read at once differs from the sheet streamed");
    }

    #[test]
    fn a_workbook_without_merged_cells_is_searched_without_parsing() {
        use rust_xlsxwriter::Workbook;
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "mergeCell").unwrap();
        ws.write_string(1, 0, "mergeCells").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        assert!(!xlsx_a_des_fusions(&bytes), "a text typed in a cell is no merged region");
        assert!(read_sheets_shared(Arc::new(bytes)).unwrap()[0].fusions.is_empty());
        let mut wb = Workbook::new();
        wb.add_worksheet().merge_range(0, 0, 1, 0, "x", &rust_xlsxwriter::Format::new()).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        assert!(xlsx_a_des_fusions(&bytes));
        let f = &read_sheets_shared(Arc::new(bytes)).unwrap()[0].fusions;
        assert_eq!(f, &Fusions::new([Dimensions { start: (0, 0), end: (1, 0) }]));
    }

    /// A workbook whose formulas with the result « SANS_VALEUR » are rewritten without a value,
    /// as a script that does not recalculate writes them (`<c r="C3"><f>F2</f><v/></c>`, no
    /// type: with `t="str"`, an empty value is the empty text Excel writes for `=""`).
    fn sans_valeurs(wb: &mut rust_xlsxwriter::Workbook) -> Vec<u8> {
        let bytes = wb.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let name = part.name().unwrap().to_string();
            let mut xml = String::new();
            part.read_to_string(&mut xml).unwrap();
            let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            out.start_file(name, stored).unwrap();
            let morceaux: Vec<&str> = xml.split("<v>SANS_VALEUR</v>").collect();
            let mut sans = String::with_capacity(xml.len());
            for (i, morceau) in morceaux.iter().enumerate() {
                if i > 0 {
                    sans.push_str("<v/>");
                }
                // Each piece but the last ends in the cell of a value taken out: its type goes.
                match morceau.rfind("<c ") {
                    Some(c) if i + 1 < morceaux.len() => {
                        sans.push_str(&morceau[..c]);
                        sans.push_str(&morceau[c..].replacen(" t=\"str\"", "", 1));
                    }
                    _ => sans.push_str(morceau),
                }
            }
            std::io::Write::write_all(&mut out, sans.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    /// Formulas without a value are found wherever they are (in the first rows read and in
    /// the rest streamed), cell by cell: each row holding one in a column it reads is set aside
    /// as `formule_sans_valeur`, named by the column; a formula whose value is an empty text,
    /// or a number, is read as its value.
    #[test]
    fn formulas_never_calculated_are_found_in_every_row() {
        use crate::import::{Context, RowOutcome, RowReader, plan_sheets};
        use crate::model::Motif;
        use rust_xlsxwriter::{Formula, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["Référence", "Commune", "Réservataire", "Typologie", "QPV", "Code"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let sans_valeur = |f: &str| Formula::new(f).set_result("SANS_VALEUR");
        for r in 1..=1000u32 {
            ws.write_string(r, 0, format!("R{r}")).unwrap();
            ws.write_string(r, 1, "Antibes").unwrap();
            match r {
                2 | 700 => ws.write_formula(r, 2, sans_valeur("=F2")).unwrap(),
                _ => ws.write_string(r, 2, "Préfecture").unwrap(),
            };
            ws.write_string(r, 3, "T3").unwrap();
            match r {
                // Far below the first rows read: hors QPV if read as blank.
                900 => ws.write_formula(r, 4, sans_valeur("=IF(F901>0,\"Oui\",\"Non\")")).unwrap(),
                // A formula whose value is an empty text: blank, hors QPV.
                950 => ws.write_formula(r, 4, Formula::new("=\"\"").set_result("")).unwrap(),
                960 => ws.write_formula(r, 4, Formula::new("=\"Oui\"").set_result("Oui")).unwrap(),
                _ => ws.write_string(r, 4, "Non").unwrap(),
            };
            // An unmapped column: its formulas are not read.
            ws.write_formula(r, 5, sans_valeur("=1+1")).unwrap();
        }
        let bytes = sans_valeurs(&mut wb);
        let s = &read_sheets_shared(Arc::new(bytes)).unwrap()[0];
        assert!(s.rest.is_some(), "the rows beyond the first 400 are streamed");
        let plans = plan_sheets(std::slice::from_ref(s));
        assert_eq!(plans[0].header.columns.len(), 5, "{:?}", plans[0].header.columns);
        let reader = RowReader::new(&plans[0], "B");
        let mut ctx = Context::new(
            crate::reference::Territoire::Epci("240600585".into()),
            Default::default(),
            Default::default(),
        );
        let mut rejets = Vec::new();
        let mut qpv = Vec::new();
        let mut lus = 0;
        let mut lire = |ligne: u32, row: &[Data]| match reader.read(ligne, row, &mut ctx) {
            Some(RowOutcome::Rejet(r)) => rejets.push((r.source.ligne, r.motif, r.valeur)),
            Some(RowOutcome::Logement(l)) => {
                lus += 1;
                if l.logement.qpv {
                    qpv.push(l.source.ligne);
                }
            }
            None => {}
        };
        for (l, r) in s.lignes(plans[0].header.data_start()) {
            lire(l, &r);
        }
        let from = s.range.end().unwrap().0 + 1;
        let remplissage = Remplissage::new(&s.fusions, from, &s.range);
        let rest = s.rest.as_ref().unwrap();
        stream_rest(
            &rest.workbook,
            "Sheet1",
            from,
            remplissage,
            || None,
            |b| {
                b.iter().for_each(|(l, r)| lire(*l, r));
                true
            },
        )
        .unwrap();
        // Rows as shown: absolute row r is line r + 1.
        assert_eq!(
            rejets,
            [
                (3, Motif::FormuleSansValeur, "Réservataire".to_string()),
                (701, Motif::FormuleSansValeur, "Réservataire".to_string()),
                (901, Motif::FormuleSansValeur, "QPV".to_string()),
            ]
        );
        assert_eq!(lus, 997);
        assert_eq!(qpv, [961], "the empty text is hors QPV, « Oui » calculated is QPV");
        assert!(Motif::FormuleSansValeur.label().contains("ouvrez le fichier dans votre tableur et enregistrez-le"));
    }

    /// Short cell records found in a stream of records, full ones not.
    #[test]
    fn short_cells_of_an_xlsb_are_found() {
        // BrtRowHdr (type 0, 25 bytes), BrtCellSt (6: column, style, text « A »), BrtShortSt
        // (0x11: style, text « B »), BrtEndSheetData (0x92 0x01, 0 bytes).
        let mut b = vec![0x00, 25];
        b.extend([0u8; 25]);
        let pleine = [vec![0x06, 14], vec![0; 8], vec![1, 0, 0, 0, b'A', 0]].concat();
        let courte = [vec![0x11, 10], vec![0; 4], vec![1, 0, 0, 0, b'B', 0]].concat();
        let fin = vec![0x92, 0x01, 0x00];
        assert!(!enregistrements_courts(&[b.clone(), pleine.clone(), fin.clone()].concat()));
        assert!(enregistrements_courts(&[b.clone(), pleine.clone(), courte, fin.clone()].concat()));
        // A record type of two bytes (0x92 0x01 = 146) is no short cell (0x12 = 18).
        assert!(!enregistrements_courts(&[b, fin].concat()));
        // Truncated: no answer made up.
        assert!(!enregistrements_courts(&[0x06]));
    }

    #[test]
    fn bad_containers_are_refused_with_a_reason() {
        assert!(read_sheets(b"").unwrap_err().0.contains("vide"));
        assert!(read_sheets(b"PK\x03\x04garbage").unwrap_err().0.contains("archive"));
        assert!(read_sheets(&[0u8, 1, 2, 3, 0, 0, 200, 100]).is_err());
    }
}
