//! Text files (CSV/TXT): decoded (UTF-8 with or without BOM, UTF-16, Windows-1252, line by
//! line when they mix), split on the separator found in their first lines, each line whose
//! quoting is broken set aside instead of swallowing the lines below it.

use super::{Fusions, ReadError, SheetData, err};
use calamine::{Data, Range};

/// Decodes CSV/TXT bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.
pub fn decode_text(bytes: &[u8]) -> Result<String, ReadError> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        match std::str::from_utf8(rest) {
            Ok(s) => s.to_string(),
            Err(_) => {
                return err(
                    "fichier texte marqué UTF-8 mais dont l'encodage est invalide : réenregistrez-le en UTF-8 ou en CSV (séparateur point-virgule)",
                );
            }
        }
    } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
        let (s, _, had_errors) = enc.decode(bytes);
        if had_errors {
            return err("fichier texte UTF-16 dont l'encodage est invalide");
        }
        s.into_owned()
    } else if let Some(enc) = utf16_sans_bom(bytes) {
        let (s, had_errors) = enc.decode_without_bom_handling(bytes);
        if had_errors {
            return err(
                "fichier texte UTF-16 dont l'encodage est invalide : réenregistrez-le en UTF-8 ou en CSV (séparateur point-virgule)",
            );
        }
        s.into_owned()
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_string()
    } else {
        par_ligne(bytes)
    };
    let control = text.chars().filter(|&c| controle(c)).count();
    if control > 0 && control * 100 > text.chars().count().max(1) {
        return err(
            "ce n'est ni un classeur ni un fichier texte lisible (CSV) : vérifiez le fichier envoyé par le bailleur",
        );
    }
    Ok(text)
}

/// Text that is not all UTF-8, line by line: each line in UTF-8 when it is valid UTF-8, else in
/// Windows-1252 — a French Excel's CSV is Windows-1252 throughout, but a file assembled from two
/// exports (or edited in two programs) mixes them, and decoding it all as Windows-1252 would turn
/// every accent of its UTF-8 lines into « Ã© » (700 rows set aside for a few lines).
fn par_ligne(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) => out.push_str(s),
            Err(_) => out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(line).0),
        }
    }
    out
}

/// A control character no text file of a spreadsheet holds (tabs, line ends and form feeds
/// aside).
fn controle(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\u{c}')
}

/// UTF-16 text without its byte order mark (some exports write it so): a zero byte in every
/// other position of the first characters, the same side each time.
fn utf16_sans_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let debut = &bytes[..bytes.len().min(400) & !1];
    if debut.len() < 8 {
        return None;
    }
    let paires = debut.len() / 2;
    let zero_pair = debut.chunks(2).filter(|c| c[0] == 0 && c[1] != 0).count();
    let zero_impair = debut.chunks(2).filter(|c| c[1] == 0 && c[0] != 0).count();
    if zero_impair * 10 >= paires * 9 {
        Some(encoding_rs::UTF_16LE)
    } else if zero_pair * 10 >= paires * 9 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// The separator used by most of the first lines: `;`, `,`, tab or `|`.
pub fn detect_separator(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(30).collect();
    let mut best = (b';', 0usize, 0usize);
    for sep in [b';', b'\t', b',', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, sep as char)).collect();
        let max = counts.iter().copied().max().unwrap_or(0);
        if max == 0 {
            continue;
        }
        // Lines agreeing with the most frequent non-zero count.
        let mut freq = std::collections::HashMap::new();
        for c in counts.iter().filter(|c| **c > 0) {
            *freq.entry(*c).or_insert(0usize) += 1;
        }
        let (mode, agree) = freq.into_iter().max_by_key(|(c, n)| (*n, *c)).unwrap_or((0, 0));
        if (agree, mode) > (best.1, best.2) {
            best = (sep, agree, mode);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, sep: char) -> usize {
    let mut inside = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            inside = !inside;
        } else if c == sep && !inside {
            n += 1;
        }
    }
    n
}

/// The readable text of a CSV file, the file line of each of its lines (by byte offset), and
/// the unreadable lines (line number, text).
type Lisible<'t> = (std::borrow::Cow<'t, str>, Vec<(usize, u32)>, Vec<(u32, String)>);

/// A quoted field may run over a few lines (an address, a comment typed with line breaks in a
/// spreadsheet cell); beyond that, an opened quote is a typing error, not a cell.
const LIGNES_MAX_D_UN_CHAMP: usize = 20;

/// How one physical line reads from its start (or from inside a quoted field carried over
/// from the line before): its fields, whether a quote left open carries the record to the next
/// line, and how many separators quoted fields held. `None`: a quote closed in the middle of a
/// field — the line cannot be read.
fn scan_line(line: &str, sep: char, inside: bool) -> Option<(usize, bool, usize)> {
    #[derive(PartialEq)]
    enum S {
        Debut,
        Libre,
        Guillemets,
        Ferme,
    }
    let mut s = if inside { S::Guillemets } else { S::Debut };
    let mut fields = 1;
    let mut sep_cites = 0;
    for c in line.chars() {
        s = match s {
            S::Debut if c == '"' => S::Guillemets,
            S::Debut | S::Libre if c == sep => {
                fields += 1;
                S::Debut
            }
            S::Debut | S::Libre => S::Libre,
            S::Guillemets if c == '"' => S::Ferme,
            S::Guillemets => {
                sep_cites += usize::from(c == sep);
                S::Guillemets
            }
            S::Ferme if c == '"' => S::Guillemets,
            S::Ferme if c == sep => {
                fields += 1;
                S::Debut
            }
            // `"ANTIBES" 2;` — the field went on after its closing quote.
            S::Ferme => return None,
        };
    }
    Some((fields, s == S::Guillemets, sep_cites))
}

/// Splits CSV text into the lines that form well-quoted records and the lines that do not: a
/// quote that opens a field and is never closed (or closes in the middle of a field, or runs
/// over more than [`LIGNES_MAX_D_UN_CHAMP`] lines, or swallows a whole record across lines —
/// a line of the quoted text holding as many separators as a record of the file: what an
/// opened quote does to the lines below it —, or makes a record of another width than the
/// file's) makes its line unreadable; a cell typed over several lines whose text holds a
/// separator or two (« bât. B; entrée 2 ») is read, and reading goes on at the next line — never « 5 lignes
/// lues » on a file of 3 400 lines. Returns the readable text, the file line of each of its
/// lines (by byte offset), and the unreadable lines.
fn separer_lignes_illisibles(text: &str, sep: u8) -> Lisible<'_> {
    let sep = sep as char;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    fn body(l: &str) -> &str {
        l.trim_end_matches(['\n', '\r'])
    }
    // The usual width: the most frequent field count of the lines that stand alone.
    let mut freq: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for l in &lines {
        if let Some((n, false, _)) = scan_line(body(l), sep, false)
            && n >= 2
        {
            *freq.entry(n).or_default() += 1;
        }
    }
    let largeur = freq.into_iter().max_by_key(|(n, k)| (*k, *n)).map(|(n, _)| n);
    // The readable text is the file's own text until a line is set aside (the usual case:
    // nothing copied).
    let mut good: Option<String> = None;
    let mut offset = 0;
    let mut map = Vec::with_capacity(lines.len());
    let mut illisibles = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // A stray control character (a NUL byte left by a faulty export): that line alone is
        // unreadable, shown with the character made visible.
        if body(lines[i]).chars().any(controle) {
            if good.is_none() {
                good = Some(lines[..i].concat());
            }
            let visible = body(lines[i]).chars().map(|c| if controle(c) { '\u{fffd}' } else { c }).collect();
            illisibles.push((i as u32 + 1, visible));
            i += 1;
            continue;
        }
        // The record starting at line i: up to which line, and is it sound?
        let mut j = i;
        let mut fields = 0;
        let mut inside = false;
        let mut avale = false;
        let fin = loop {
            match scan_line(body(lines[j]), sep, inside) {
                None => break None,
                Some((n, still, cites)) => {
                    fields += n - usize::from(inside);
                    inside = still;
                    // A line of quoted text with a record's worth of separators is a record
                    // swallowed by a stray quote (without a usual width: any separator).
                    avale |= cites > 0 && largeur.is_none_or(|w| cites + 1 >= w.max(3));
                }
            }
            if !inside {
                break if j > i && avale { None } else { Some(j) };
            }
            j += 1;
            if j >= lines.len() || j - i >= LIGNES_MAX_D_UN_CHAMP {
                break None;
            }
        };
        let fin = fin.filter(|&j| j == i || largeur.is_none_or(|w| fields == w));
        match fin {
            Some(j) => {
                for (k, l) in lines.iter().enumerate().take(j + 1).skip(i) {
                    map.push((offset, k as u32 + 1));
                    offset += l.len();
                    if let Some(g) = &mut good {
                        g.push_str(l);
                    }
                }
                i = j + 1;
            }
            None => {
                if good.is_none() {
                    good = Some(lines[..i].concat());
                }
                illisibles.push((i as u32 + 1, body(lines[i]).to_string()));
                i += 1;
            }
        }
    }
    let good = match good {
        Some(g) => std::borrow::Cow::Owned(g),
        None => std::borrow::Cow::Borrowed(text),
    };
    (good, map, illisibles)
}

pub(super) fn read_csv(bytes: &[u8]) -> Result<Vec<SheetData>, ReadError> {
    let text = decode_text(bytes)?;
    let sep = detect_separator(&text);
    let (good, map, illisibles) = separer_lignes_illisibles(&text, sep);
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(sep).from_reader(good.as_bytes());
    let mut rows: Vec<Vec<Data>> = Vec::new();
    let mut lines = Vec::new();
    let mut width = 0;
    let mut record = csv::StringRecord::new();
    // The file line of a record from its position in the readable text (the csv crate may
    // give the position of the newline that ends the line before).
    let line_of = |byte: u64| {
        let k = map.partition_point(|&(start, _)| start as u64 <= byte + 1);
        map.get(k.saturating_sub(1)).map_or(0, |&(_, l)| l)
    };
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| line_of(p.byte())).unwrap_or(0);
                let row: Vec<Data> = record
                    .iter()
                    .map(|f| if f.is_empty() { Data::Empty } else { Data::String(f.to_string()) })
                    .collect();
                width = width.max(row.len());
                rows.push(row);
                lines.push(line);
            }
            Err(e) => {
                let line = e.position().map(|p| line_of(p.byte())).unwrap_or(0);
                return err(format!("CSV illisible à la ligne {line} ({e})"));
            }
        }
    }
    if rows.is_empty() || width == 0 {
        if let Some((l, _)) = illisibles.first() {
            return err(format!(
                "aucune ligne lisible : un guillemet ouvert à la ligne {l} n'est jamais fermé — corrigez-le dans le fichier"
            ));
        }
        return err("le fichier est vide");
    }
    let mut range = Range::new((0, 0), (rows.len() as u32 - 1, width as u32 - 1));
    for (r, row) in rows.into_iter().enumerate() {
        for (c, v) in row.into_iter().enumerate() {
            if !matches!(v, Data::Empty) {
                range.set_value((r as u32, c as u32), v);
            }
        }
    }
    Ok(vec![SheetData {
        name: None,
        hidden: false,
        range,
        row_numbers: Some(lines),
        rest: None,
        illisibles,
        fusions: Fusions::default(),
    }])
}
