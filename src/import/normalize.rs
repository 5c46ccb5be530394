//! Value normalisers: each turns one raw cell into a canonical value of `domaine.md`, or
//! says it cannot. None of them guesses: a near miss is not a match.

use crate::model::{Date, Financement, IndividuelCollectif, Reservataire, Typologie};
use crate::reference::{Territoire, reference};
use crate::text::{key, place_key, slug};
use std::collections::HashMap;
use std::sync::OnceLock;

pub use crate::model::FINANCEMENT_DEFAUT;

/// RPLS variable FINAN (financement initial), codes whose canonical value is unambiguous.
/// Source: SDES, « Répertoire des logements locatifs des bailleurs sociaux (RPLS) —
/// dictionnaire des variables », variable FINAN; as restated in `domaine.md`. Other codes
/// (11, 15, 50, 51, 53, 54, 55, 99...) are set aside as `financement_inconnu` until mapped.
pub const RPLS_FINAN: &[(u32, Financement)] = &[
    (10, Financement::Plai), // PLA d'intégration (PLAI)
    (12, Financement::Plus), // PLA ordinaire
    (13, Financement::Plus), // PLUS
    (14, Financement::Pls),  // PLS, PPLS, PLA CFF
    (16, Financement::Pli),  // PLI
    (17, Financement::Pls),  // PCL
    (52, Financement::Plus), // HLM/O
];

/// Typology: `T3`, `F3`, `3`, `3 pièces`, `Type 3`, `T3 bis`, `studio`, `chambre`...
pub fn typologie(raw: &str) -> Option<Typologie> {
    let k = key(raw);
    match k.as_str() {
        "" => return None,
        "chambre" | "ch" | "chbre" | "chambres" => return Some(Typologie::Chambre),
        "studio" | "studette" | "t1 studio" | "studios" => return Some(Typologie::Studio),
        _ => {}
    }
    let compact: String = k.chars().filter(|c| *c != ' ').collect();
    let mut s = compact.as_str();
    for p in ["type", "typ", "tp", "t", "f"] {
        if let Some(rest) = s.strip_prefix(p)
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            s = rest;
            break;
        }
    }
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if digits_end == 0 || digits_end > 2 {
        return None;
    }
    let n: u8 = s[..digits_end].parse().ok()?;
    let mut rest = &s[digits_end..];
    let mut bis = false;
    let mut plus = false;
    loop {
        let before = rest;
        for (suffix, flag) in [
            ("bis", 1u8),
            ("pieces", 0),
            ("piece", 0),
            ("pces", 0),
            ("pce", 0),
            ("p", 0),
            ("etplus", 2),
            ("et", 2),
            ("plus", 2),
            ("ter", 1),
        ] {
            if let Some(r) = rest.strip_prefix(suffix) {
                match flag {
                    1 => bis = true,
                    2 => plus = true,
                    _ => {}
                }
                rest = r;
                break;
            }
        }
        if rest.is_empty() || rest == before {
            break;
        }
    }
    // « et plus » is the grid's last bucket, T6+: « T6 et + » is a T6, « 5 et + » (a T5 or
    // larger) is not a T5.
    if !rest.is_empty() || n == 0 || n > 15 || (plus && n < 6) {
        return None;
    }
    Some(Typologie::Pieces { n, bis })
}

/// A column holding typology and financement together (`T3 PLUS`): the typology and the rest.
pub fn typologie_et_reste(raw: &str) -> Option<(Typologie, String)> {
    let words: Vec<&str> = raw.split_whitespace().collect();
    for cut in (1..words.len()).rev() {
        if let Some(t) = typologie(&words[..cut].join(" ")) {
            return Some((t, words[cut..].join(" ")));
        }
    }
    None
}

/// The financement correspondence in force in a dossier (defaults plus user edits).
#[derive(Debug, Clone)]
pub struct Correspondance {
    labels: HashMap<String, Financement>,
}

impl Default for Correspondance {
    fn default() -> Self {
        Self::from_pairs(FINANCEMENT_DEFAUT.iter().map(|(l, f)| (l.to_string(), *f)))
    }
}

impl Correspondance {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, Financement)>) -> Self {
        Self { labels: pairs.into_iter().map(|(l, f)| (key(&l), f)).collect() }
    }

    /// The canonical financement of a label or RPLS code: a blank cell is « non renseigné »
    /// (`Autre`); a label in no list (PALULOS, a typo, an ambiguous RPLS code) is `None`, to be
    /// set aside and mapped by the user, never guessed.
    pub fn financement(&self, raw: &str) -> Option<Financement> {
        let k = key(raw);
        if k.is_empty() {
            return Some(Financement::Autre);
        }
        if let Some(f) = self.labels.get(&k) {
            return Some(*f);
        }
        if let Ok(code) = k.parse::<u32>() {
            if let Some(f) = self.labels.get(&code.to_string()) {
                return Some(*f);
            }
            return RPLS_FINAN.iter().find(|(c, _)| *c == code).map(|(_, f)| *f);
        }
        // « PLUS (prêt locatif à usage social) », « PLAI - intégration »: the label before the
        // explanation, when it is a known label on its own.
        // A hyphen only as a separator (« PLAI - intégration »): « PLA-X » is not a PLA.
        let head = raw.split(['(', ':']).next().and_then(|h| h.split(" - ").next()).map(str::trim);
        if let Some(head) = head.filter(|h| h.len() < raw.trim().len())
            && let Some(f) = self.labels.get(&key(head))
        {
            return Some(*f);
        }
        // « P.L.U.S. », « P.L.A.I. »: an acronym written with its dots.
        if raw.matches('.').count() >= 2 {
            let compact: String = raw.chars().filter(|c| c.is_alphanumeric()).collect();
            if let Some(f) = self.labels.get(&key(&compact)) {
                return Some(*f);
            }
        }
        None
    }
}

/// QPV: oui/non, O/N, 1/0, X/blank, `QPV`/`Hors QPV`, `Q`/`HQPV` (domaine.md), or a QPV
/// code (`QP083001`). Any other value (« ? », « NC », « 2 », « - ») is `None`: the row is set
/// aside, never counted hors QPV.
pub fn qpv(raw: &str) -> Option<bool> {
    let k = key(raw);
    // « ? », « - »: punctuation only, no word, yet not blank.
    if k.is_empty() && !crate::text::clean(raw).is_empty() {
        return None;
    }
    // « Oui (QP006012) », « Non - hors quartier »: the first word decides.
    // « Hors QPV (veille active) », « QPV Les Semboules », « QPV : non »: a label that opens
    // on « hors » is outside; one that opens on « QPV » is in a QPV (its name follows), unless
    // its next word answers « non ».
    let mut words = k.split(' ');
    match (words.next(), words.next()) {
        (Some("oui"), Some(_)) => return Some(true),
        (Some("non"), Some(w)) if w != "qpv" => return Some(false),
        (Some("hors"), Some(_)) => return Some(false),
        (Some("qpv"), Some("non" | "n" | "hors")) => return Some(false),
        (Some("qpv"), Some(w)) if w != "oui" => return Some(true),
        _ => {}
    }
    match k.as_str() {
        ""
        | "non"
        | "n"
        | "0"
        | "hors qpv"
        | "hqpv"
        | "hors"
        | "faux"
        | "false"
        | "no"
        | "hors quartier prioritaire"
        | "non qpv"
        | "pas en qpv"
        | "hors zone" => Some(false),
        "oui"
        | "o"
        | "q"
        | "1"
        | "x"
        | "qpv"
        | "yes"
        | "y"
        | "vrai"
        | "true"
        | "en qpv"
        | "dans qpv"
        | "quartier prioritaire"
        | "qpv oui" => Some(true),
        _ => {
            let c = k.replace(' ', "");
            let is_code = (c.starts_with("qp") || c.starts_with("qn"))
                && c.len() >= 7
                && c[2..].chars().all(|ch| ch.is_ascii_alphanumeric())
                && c[2..].chars().filter(|ch| ch.is_ascii_digit()).count() >= 4;
            is_code.then_some(true)
        }
    }
}

/// The parts of a label that lists several (« Action Logement / Etat », « Etat + CD06 »),
/// split on `/`, `+`, `&`, `;` outside parentheses; `None` for a label of one part.
fn plusieurs(raw: &str) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in raw.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '/' | '+' | '&' | ';' if depth == 0 => {
                parts.push(raw[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(raw[start..].trim());
    parts.retain(|p| !p.is_empty());
    (parts.len() >= 2).then_some(parts)
}

/// Individuel/collectif: `I`/`C`, `maison`, `appartement`...
pub fn individuel_collectif(raw: &str) -> Option<IndividuelCollectif> {
    let k = key(raw);
    match k.as_str() {
        "i"
        | "ind"
        | "indiv"
        | "individuel"
        | "individuelle"
        | "individuels"
        | "maison"
        | "maison individuelle"
        | "pavillon"
        | "villa"
        | "mi"
        | "logement individuel"
        | "habitat individuel" => Some(IndividuelCollectif::Individuel),
        "c" | "coll" | "col" | "collectif" | "collective" | "collectifs" | "appartement" | "appt" | "app"
        | "immeuble" | "logement collectif" | "habitat collectif" | "intermediaire" | "semi collectif" => {
            Some(IndividuelCollectif::Collectif)
        }
        _ => None,
    }
}

/// A date written as text (see `Date::from_text`).
pub fn date_text(raw: &str) -> Option<Date> {
    Date::from_text(raw)
}

/// A year: `1975`, `1975.0`, a date (its year).
pub fn annee(raw: &str) -> Option<i32> {
    let s = raw.trim();
    if let Ok(n) = s.parse::<f64>()
        && n.fract() == 0.0
        && (1800.0..=2200.0).contains(&n)
    {
        return Some(n as i32);
    }
    date_text(s).map(|d| d.year)
}

/// A collectivité written without a name: the one where the row's dwelling is (a presumption,
/// counted in the import summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SansNom {
    Commune,
    Epci,
    Departement,
}

/// « Ville », « Mairie », « Contingent communal », « Métropole », « Agglo », « CD »…
pub fn collectivite_sans_nom(raw: &str) -> Option<SansNom> {
    let k = key(raw);
    let k = k.strip_prefix("contingent ").filter(|r| !r.is_empty()).unwrap_or(&k);
    let k = k.strip_prefix("reservation ").filter(|r| !r.is_empty()).unwrap_or(k);
    match k {
        "ville"
        | "mairie"
        | "commune"
        | "communal"
        | "municipal"
        | "contingent communal"
        | "communes"
        | "la ville"
        | "la commune" => Some(SansNom::Commune),
        "epci"
        | "metropole"
        | "la metropole"
        | "agglo"
        | "agglomeration"
        | "communaute d agglomeration"
        | "communaute de communes"
        | "communaute urbaine"
        | "intercommunalite"
        | "intercommunal"
        | "interco" => Some(SansNom::Epci),
        "departement"
        | "le departement"
        | "cd"
        | "cg"
        | "conseil departemental"
        | "conseil general"
        | "departemental" => Some(SansNom::Departement),
        _ => None,
    }
}

/// Resolves réservataire labels to canonical ids (see `domaine.md`, « Réservataires »).
pub struct ReservataireResolver {
    territoire: Territoire,
    region: Option<String>,
    mappings: HashMap<String, String>,
}

impl ReservataireResolver {
    /// Whether the user mapped this label in the dossier (a mapping beats a presumption).
    pub fn mapped(&self, raw: &str) -> bool {
        self.mappings.contains_key(&key(raw))
    }

    /// `mappings`: label key → canonical id confirmed by the user in this dossier.
    pub fn new(territoire: Territoire, mappings: HashMap<String, String>) -> Self {
        Self { region: territoire.region(), territoire, mappings }
    }

    pub fn resolve(&self, raw: &str) -> Option<Reservataire> {
        // « Action Logement / Etat »: a cell naming two réservataires is none of them (never
        // the first); « Préfecture / DDETS », the same one twice, is that one. A label the user
        // mapped as a whole stays theirs.
        if let Some(parts) = plusieurs(raw)
            && !self.mapped(raw)
        {
            let ids: Vec<Option<Reservataire>> = parts.iter().map(|p| self.resolve_un(p)).collect();
            return match ids.first() {
                Some(Some(first)) if ids.iter().all(|i| i.as_ref() == Some(first)) => Some(first.clone()),
                _ => None,
            };
        }
        self.resolve_un(raw)
    }

    fn resolve_un(&self, raw: &str) -> Option<Reservataire> {
        self.resolve_exact(raw).or_else(|| {
            // « Mairie de Biot (convention de 1998) »: the label without its remark.
            let open = raw.find('(')?;
            let head = raw[..open].trim();
            (!head.is_empty()).then(|| self.resolve_exact(head)).flatten()
        })
    }

    fn resolve_exact(&self, raw: &str) -> Option<Reservataire> {
        let k = key(raw);
        if k.is_empty() {
            return None;
        }
        if let Some(id) = self.mappings.get(&k) {
            return Some(Reservataire::new(id.clone()));
        }
        if let Some(id) = fixed_label(&k) {
            return Some(id);
        }
        if k.split(' ').any(|w| w == "fonctionnaire" || w == "fonctionnaires") {
            return Some(Reservataire::FONCTIONNAIRES);
        }
        if let Some(id) = self.departement_label(&k) {
            return Some(id);
        }
        if let Some(id) = self.region_label(&k) {
            return Some(id);
        }
        if let Some(id) = self.autre_label(&k) {
            return Some(id);
        }
        if let Some(c) = self.commune_label(raw) {
            return Some(Reservataire::commune(&c));
        }
        if let Some(e) = self.epci_label(&k) {
            return Some(Reservataire::epci(&e));
        }
        None
    }

    fn departement_label(&self, k: &str) -> Option<Reservataire> {
        let compact = k.replace(' ', "");
        for p in ["cd", "cg"] {
            if let Some(code) = compact.strip_prefix(p)
                && (1..=3).contains(&code.len())
                && let Some(d) = departement_code(code)
            {
                return Some(Reservataire::departement(&d));
            }
        }
        let rest = ["conseil departemental", "conseil general", "departement", "cd", "cg"]
            .iter()
            .find_map(|p| k.strip_prefix(&format!("{p} ")))?;
        let name = strip_article(rest);
        if let Some(d) = departement_code(name) {
            return Some(Reservataire::departement(&d));
        }
        reference().departements.iter().find(|d| key(&d.nom) == name).map(|d| Reservataire::departement(&d.code))
    }

    fn region_label(&self, k: &str) -> Option<Reservataire> {
        let rest = ["conseil regional", "region"]
            .iter()
            .find_map(|p| if k == *p { Some("") } else { k.strip_prefix(&format!("{p} ")) })?;
        if rest.is_empty() {
            return self.region.as_ref().map(|r| Reservataire::region(r));
        }
        let name = strip_article(rest);
        if name == "sud" || name == "paca" {
            return Some(Reservataire::region("93"));
        }
        reference().regions.iter().find(|r| key(&r.nom) == name).map(|r| Reservataire::region(&r.code))
    }

    fn autre_label(&self, k: &str) -> Option<Reservataire> {
        const KNOWN: &[&str] = &[
            "la poste",
            "sncf",
            "ratp",
            "edf",
            "engie",
            "gdf",
            "orange",
            "france telecom",
            "air france",
            "caf",
            "cpam",
            "msa",
            "france travail",
            "pole emploi",
            "urssaf",
            "banque de france",
            "sdis",
            "onf",
        ];
        if KNOWN.contains(&k) {
            return Some(Reservataire::autre(&slug(k)));
        }
        for p in ["autre", "autres", "employeur", "entreprise"] {
            if let Some(rest) = k.strip_prefix(&format!("{p} "))
                && !rest.is_empty()
            {
                return Some(Reservataire::autre(&slug(rest)));
            }
        }
        None
    }

    fn commune_label(&self, raw: &str) -> Option<String> {
        let pk = place_key(raw);
        let mut name = pk.as_str();
        // « Commune du Pradet » is Le Pradet, « Mairie des Adrets » Les Adrets.
        let contracted: Option<String> = ["ville", "mairie", "commune"].iter().find_map(|p| {
            [(" du ", "le "), (" des ", "les ")].iter().find_map(|(article, replacement)| {
                name.strip_prefix(&format!("{p}{article}")).map(|rest| format!("{replacement}{rest}"))
            })
        });
        if let Some(c) = &contracted {
            name = c.as_str();
        } else {
            for p in [
                "ville de ",
                "ville d ",
                "ville ",
                "mairie de ",
                "mairie d ",
                "mairie ",
                "commune de ",
                "commune d ",
                "commune ",
            ] {
                if let Some(rest) = name.strip_prefix(p) {
                    name = rest;
                    break;
                }
            }
        }
        if name.is_empty() {
            return None;
        }
        let r = reference();
        let cands = r.communes_by_name(name);
        let pick = match cands.len() {
            0 => None,
            1 => Some(cands[0]),
            _ => {
                let inside: Vec<_> = cands.into_iter().filter(|c| self.territoire.contains(c)).collect();
                (inside.len() == 1).then(|| inside[0])
            }
        };
        pick.map(|c| c.insee.to_string())
    }

    fn epci_label(&self, k: &str) -> Option<String> {
        let idx = epci_index();
        let cands = idx.get(k)?;
        let inside: Vec<&(usize, bool)> = cands.iter().filter(|(e, _)| self.epci_in_territory(*e)).collect();
        if inside.len() == 1 {
            return Some(reference().epcis[inside[0].0].siren.to_string());
        }
        // Outside the territory only full names count, never acronyms.
        let full: Vec<_> = cands.iter().filter(|(_, acronym)| !acronym).collect();
        (inside.is_empty() && full.len() == 1).then(|| reference().epcis[full[0].0].siren.to_string())
    }

    fn epci_in_territory(&self, e: usize) -> bool {
        let r = reference();
        let epci = &r.epcis[e];
        match &self.territoire {
            Territoire::Tout => true,
            Territoire::Epci(s) => epci.siren == s,
            Territoire::Departement(d) => epci.membres.iter().any(|&c| r.communes[c].departement == d),
        }
    }
}

fn strip_article(s: &str) -> &str {
    for a in ["de la ", "de l ", "des ", "du ", "de ", "d ", "la ", "le ", "les ", "l "] {
        if let Some(r) = s.strip_prefix(a) {
            return r;
        }
    }
    s
}

fn departement_code(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_uppercase();
    let code = if s.len() == 1 && s.chars().all(|c| c.is_ascii_digit()) { format!("0{s}") } else { s };
    reference().departement(&code).map(|d| d.code.clone())
}

/// Labels that name one réservataire whatever the territory.
fn fixed_label(k: &str) -> Option<Reservataire> {
    static TABLE: OnceLock<HashMap<&'static str, Reservataire>> = OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for l in [
            "non reserve",
            "non reservee",
            "non reserves",
            "non reservees",
            "nr",
            "libre",
            "libres",
            "bailleur",
            "contingent propre",
            "contingent bailleur",
            "propre",
            "organisme",
            "reservation bailleur",
            "hors contingent",
            "sans reservataire",
            "aucun",
            "non contingente",
            "logement libre",
            "contingent organisme",
            "bailleur non reserve",
            "patrimoine propre",
        ] {
            m.insert(l, Reservataire::NON_RESERVE);
        }
        for l in [
            "prefecture",
            "prefet",
            "pref",
            "etat",
            "contingent prefectoral",
            "ddets",
            "mal loges",
            "contingent prefecture",
            "contingent etat",
            "prefectoral",
            "ddcs",
            "ddcspp",
            "publics prioritaires",
            "etat mal loges",
            "prefecture mal loges",
            "contingent prefet",
            "etat publics prioritaires",
            "reservation prefectorale",
            "drihl",
            "dreets",
        ] {
            m.insert(l, Reservataire::ETAT);
        }
        for l in ["agents de l etat", "etat agents", "prefecture agents"] {
            m.insert(l, Reservataire::FONCTIONNAIRES);
        }
        for l in [
            "als",
            "action logement",
            "action logement services",
            "action logement service",
            "1% logement",
            "1 % logement",
            "1%",
            "cil",
            "1% patronal",
            "employeurs via als",
            "al services",
        ] {
            m.insert(l, Reservataire::ACTION_LOGEMENT);
        }
        for l in [
            "defense",
            "ministere des armees",
            "armees",
            "armee",
            "police",
            "gendarmerie",
            "ministere de la defense",
            "defense nationale",
            "ministere de l interieur",
            "securite interieure",
            "police nationale",
            "gendarmerie nationale",
            "chu",
            "hopital",
            "centre hospitalier",
            "ap hp",
            "aphp",
            "etablissement public de sante",
            "marine nationale",
        ] {
            m.insert(l, Reservataire::DEFENSE);
        }
        m
    });
    if let Some(id) = t.get(k) {
        return Some(id.clone());
    }
    for p in ["chu ", "centre hospitalier ", "hopital ", "ministere des armees ", "police ", "gendarmerie "] {
        if k.starts_with(p) {
            return Some(Reservataire::DEFENSE);
        }
    }
    if !k.contains("fonctionnaire") {
        for p in ["action logement ", "als "] {
            if k.starts_with(p) {
                return Some(Reservataire::ACTION_LOGEMENT);
            }
        }
        for p in ["prefecture ", "prefet ", "contingent prefectoral ", "etat ", "contingent etat "] {
            if k.starts_with(p) {
                return Some(Reservataire::ETAT);
            }
        }
    }
    for p in ["non reserve", "non reservee", "sans reservation", "non contingente"] {
        if k == p || k.starts_with(&format!("{p} ")) {
            return Some(Reservataire::NON_RESERVE);
        }
    }
    None
}

/// Builds the reference data and the label indexes the normalisers use, so that another thread
/// can do it while the first file is being read.
pub fn warm_up() {
    let _ = epci_index();
    let _ = fixed_label("");
}

/// EPCI label keys → (EPCI index, is an acronym): full name, name without the legal form,
/// the legal form spelt out, and acronyms (`CASA`, `MTPM`, `Métropole TPM`).
fn epci_index() -> &'static HashMap<String, Vec<(usize, bool)>> {
    static IDX: OnceLock<HashMap<String, Vec<(usize, bool)>>> = OnceLock::new();
    IDX.get_or_init(|| {
        let mut m: HashMap<String, Vec<(usize, bool)>> = HashMap::new();
        for (i, e) in reference().epcis.iter().enumerate() {
            let (abbr, long, nom) = e.forme_et_nom();
            let core = nom.join(" ");
            let mut add = |k: String, acronym: bool| {
                let v = m.entry(k).or_default();
                if !v.iter().any(|(j, _)| *j == i) {
                    v.push((i, acronym));
                }
            };
            add(key(e.nom), false);
            if !core.is_empty() {
                for prefix in [abbr, long, "agglomeration", "agglo", "communaute", "metropole"] {
                    add(format!("{prefix} {core}"), false);
                    add(format!("{prefix} de {core}"), false);
                    add(format!("{prefix} du {core}"), false);
                }
                for s in e.sigles() {
                    add(s, true);
                }
            }
        }
        m
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn casa() -> ReservataireResolver {
        ReservataireResolver::new(Territoire::Epci("240600585".into()), HashMap::new())
    }

    #[test]
    fn typologies_in_every_spelling() {
        let t = |n, bis| Some(Typologie::Pieces { n, bis });
        assert_eq!(typologie("T3"), t(3, false));
        assert_eq!(typologie("F3"), t(3, false));
        assert_eq!(typologie("3"), t(3, false));
        assert_eq!(typologie("3 pièces"), t(3, false));
        assert_eq!(typologie("1 pièce"), t(1, false));
        assert_eq!(typologie("Type 3"), t(3, false));
        assert_eq!(typologie("T3 bis"), t(3, true));
        assert_eq!(typologie("T1BIS"), t(1, true));
        assert_eq!(typologie("F2 bis"), t(2, true));
        assert_eq!(typologie("T6 et +"), t(6, false));
        assert_eq!(typologie("T7"), t(7, false));
        assert_eq!(typologie("studio"), Some(Typologie::Studio));
        assert_eq!(typologie("CHAMBRE"), Some(Typologie::Chambre));
        for bad in ["NC", "Local commercial", "Parking", "?", "", "T0", "T3/T4", "5 et +", "T5 et plus"] {
            assert_eq!(typologie(bad), None, "{bad}");
        }
        assert_eq!(typologie_et_reste("T3 PLUS"), Some((Typologie::Pieces { n: 3, bis: false }, "PLUS".into())));
    }

    #[test]
    fn financements_by_label_and_rpls_code() {
        let c = Correspondance::default();
        let f = |s: &str| c.financement(s);
        assert_eq!(f("PLA-TS"), Some(Financement::Plai));
        assert_eq!(f("PLA d'intégration"), Some(Financement::Plai));
        assert_eq!(f("PLA D'INTÉGRATION"), Some(Financement::Plai));
        assert_eq!(f("HLM/O"), Some(Financement::Plus));
        assert_eq!(f("PLA CFF"), Some(Financement::Pls), "PLA CFF is a PLS (RPLS code 14)");
        assert_eq!(f("PPLS"), Some(Financement::Pls));
        assert_eq!(f("ILN"), Some(Financement::Pls));
        assert_eq!(f("PLI"), Some(Financement::Pli));
        for hors_assiette in ["LLI", "loyer libre", "Intermédiaire", "logement intermédiaire", "Libre"] {
            assert_eq!(f(hors_assiette), Some(Financement::Pli), "{hors_assiette}");
        }
        assert_eq!(f("13"), Some(Financement::Plus));
        assert_eq!(f("10"), Some(Financement::Plai));
        assert_eq!(f("14"), Some(Financement::Pls));
        assert_eq!(f("17"), Some(Financement::Pls));
        assert_eq!(f("Autre"), Some(Financement::Autre));
        assert_eq!(f("P.L.U.S."), Some(Financement::Plus));
        assert_eq!(f("P.L.A.I"), Some(Financement::Plai));
        assert_eq!(f("P.L.A.X."), None);
        assert_eq!(f(""), Some(Financement::Autre), "a blank cell is « non renseigné »");
        for inconnu in ["51", "11", "PALULOS", "PSLA", "PLA-X", "Non conventionné"] {
            assert_eq!(f(inconnu), None, "{inconnu} must be set aside, not turned into Autre");
        }
        assert_eq!(f("PLUS (prêt locatif à usage social)"), Some(Financement::Plus));
        assert_eq!(f("PLAI - intégration"), Some(Financement::Plai));
        assert_eq!(f("PLA-I"), Some(Financement::Plai));
        assert_eq!(f("PLUS-CD"), Some(Financement::Plus));
        let mapped = Correspondance::from_pairs(
            FINANCEMENT_DEFAUT
                .iter()
                .map(|(l, f)| (l.to_string(), *f))
                .chain([("PALULOS".to_string(), Financement::Plus)]),
        );
        assert_eq!(mapped.financement("Palulos"), Some(Financement::Plus));
    }

    #[test]
    fn qpv_and_individuel_collectif() {
        assert_eq!(qpv("Hors QPV"), Some(false));
        assert_eq!(qpv("QP083001"), Some(true));
        assert_eq!(qpv("1"), Some(true));
        assert_eq!(qpv(""), Some(false));
        assert_eq!(qpv("peut-être"), None);
        assert_eq!(qpv("Oui (QP006012)"), Some(true));
        assert_eq!(qpv("Non - hors quartier"), Some(false));
        assert_eq!(qpv("Non QPV"), Some(false));
        // domaine.md: « Q » is QPV, « HQPV » hors QPV; nothing else is guessed.
        assert_eq!(qpv("Q"), Some(true));
        assert_eq!(qpv("q"), Some(true));
        assert_eq!(qpv("HQPV"), Some(false));
        assert_eq!(qpv("Hors QPV (veille active)"), Some(false));
        assert_eq!(qpv("QPV Les Semboules"), Some(true));
        assert_eq!(qpv("QPV - La Fontonne"), Some(true));
        assert_eq!(qpv("QPV : non"), Some(false));
        assert_eq!(qpv("QPV oui"), Some(true));
        for inconnu in ["?", "NC", "inconnu", "2", "-", "N/C"] {
            assert_eq!(qpv(inconnu), None, "{inconnu}");
        }
        assert_eq!(individuel_collectif("?"), None);
        assert_eq!(individuel_collectif("NC"), None);
        assert_eq!(individuel_collectif("maison"), Some(IndividuelCollectif::Individuel));
        assert_eq!(individuel_collectif("C"), Some(IndividuelCollectif::Collectif));
    }

    #[test]
    fn dates_in_text() {
        assert_eq!(date_text("31/12/2023"), Date::new(2023, 12, 31));
        assert_eq!(date_text("2024-01-01"), Date::new(2024, 1, 1));
        assert_eq!(date_text("2024-01-01 00:00:00"), Date::new(2024, 1, 1));
        assert_eq!(date_text("31.12.23"), Date::new(2023, 12, 31));
        assert_eq!(date_text("1er janvier 2024"), Date::new(2024, 1, 1));
        // Nothing guessed: a bare year, a serial or a decimal typed as a date is no date.
        assert_eq!(date_text("2030"), None);
        assert_eq!(date_text("45291"), None);
        assert_eq!(date_text("12.5"), None);
        assert_eq!(date_text("31/12-2023"), None);
        assert_eq!(date_text("31/02/2023"), None);
        assert_eq!(date_text("3132222222221/22/32"), None);
        assert_eq!(date_text("2023/300/1"), None);
    }

    #[test]
    fn reservataires_from_the_usual_labels() {
        let r = casa();
        let id = |s: &str| r.resolve(s).map(String::from);
        for (label, want) in [
            ("PRÉFECTURE", "etat"),
            ("Mal logés", "etat"),
            ("Contingent préfectoral", "etat"),
            ("PRÉFECTURE FONCTIONNAIRES", "etat-fonctionnaires"),
            ("Fonctionnaires", "etat-fonctionnaires"),
            ("1% logement", "action-logement"),
            ("CIL", "action-logement"),
            ("Ville d'Antibes", "commune:06004"),
            ("VILLE LA COLLE SUR LOUP", "commune:06044"),
            ("Mairie de Valbonne", "commune:06152"),
            ("Vallauris", "commune:06155"),
            ("CASA", "epci:240600585"),
            ("CA Sophia Antipolis", "epci:240600585"),
            ("CA de Sophia Antipolis", "epci:240600585"),
            ("CD06", "departement:06"),
            ("Conseil général des Alpes-Maritimes", "departement:06"),
            ("Département des Alpes-Maritimes", "departement:06"),
            ("Région Sud", "region:93"),
            ("Ministère des Armées", "defense"),
            ("Gendarmerie", "defense"),
            ("La Poste", "autre:la-poste"),
            ("SNCF", "autre:sncf"),
            ("NON RÉSERVÉ", "non-reserve"),
            ("Contingent propre", "non-reserve"),
            ("Non réservé (bailleur)", "non-reserve"),
            ("Préfet des Alpes-Maritimes", "etat"),
            ("Etat - contingent préfectoral", "etat"),
            ("Etat - fonctionnaires", "etat-fonctionnaires"),
            ("ALS Méditerranée", "action-logement"),
        ] {
            assert_eq!(id(label).as_deref(), Some(want), "{label}");
        }
        assert_eq!(id("Mairie de Valbone"), None);
        // The contracted articles: « du Cannet » is Le Cannet (the names the program itself writes).
        assert_eq!(id("Commune du Cannet").as_deref(), Some("commune:06030"));
        assert_eq!(id("Mairie du Rouret").as_deref(), Some("commune:06112"));
        assert_eq!(id("Mairie de Biot (convention de 1998)").as_deref(), Some("commune:06018"));
        assert_eq!(id("Action Logement (ex-CIL)").as_deref(), Some("action-logement"));
        assert_eq!(id("Toto"), None);
        assert_eq!(id(""), None);
        // Two réservataires in one cell: neither.
        assert_eq!(id("Action Logement / Etat"), None);
        assert_eq!(id("Etat / Action Logement"), None);
        assert_eq!(id("Etat + CD06"), None);
        assert_eq!(id("Etat / Toto"), None);
        assert_eq!(id("Préfecture / DDETS").as_deref(), Some("etat"));
        assert_eq!(id("Mairie de Biot (convention 1998/2003)").as_deref(), Some("commune:06018"));
    }

    #[test]
    fn collectivites_without_a_name_are_the_rows_own() {
        for (label, want) in [
            ("Ville", SansNom::Commune),
            ("MAIRIE", SansNom::Commune),
            ("Contingent communal", SansNom::Commune),
            ("Contingent mairie", SansNom::Commune),
            ("Métropole", SansNom::Epci),
            ("Agglo", SansNom::Epci),
            ("Communauté de communes", SansNom::Epci),
            ("Intercommunalité", SansNom::Epci),
            ("EPCI", SansNom::Epci),
            ("Département", SansNom::Departement),
            ("CD", SansNom::Departement),
            ("Conseil général", SansNom::Departement),
        ] {
            assert_eq!(collectivite_sans_nom(label), Some(want), "{label}");
        }
        for named in ["Ville d'Antibes", "CD06", "Métropole TPM", "Action Logement", "Commune de Biot"] {
            assert_eq!(collectivite_sans_nom(named), None, "{named}");
        }
    }

    #[test]
    fn epci_acronyms_of_another_territory() {
        let r = ReservataireResolver::new(Territoire::Epci("248300543".into()), HashMap::new());
        assert_eq!(r.resolve("MTPM").map(String::from).as_deref(), Some("epci:248300543"));
        assert_eq!(r.resolve("Métropole TPM").map(String::from).as_deref(), Some("epci:248300543"));
        assert_eq!(r.resolve("TPM").map(String::from).as_deref(), Some("epci:248300543"));
        // Outside its territory an acronym is nobody's; two words make no acronym.
        assert_eq!(casa().resolve("TPM"), None);
        assert_eq!(casa().resolve("SA"), None);
    }

    #[test]
    fn user_mappings_come_first() {
        let mut m = HashMap::new();
        m.insert(key("Toto"), "autre:toto".to_string());
        let r = ReservataireResolver::new(Territoire::Tout, m);
        assert_eq!(r.resolve("TOTO").map(String::from).as_deref(), Some("autre:toto"));
    }
}
