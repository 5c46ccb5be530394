//! Reference data of the Code officiel géographique 2026: communes (and the former
//! communes déléguées/associées that now belong to them), postal codes, départements,
//! régions and EPCI membership. Built by `scripts/build_reference.py` from
//! `@etalab/decoupage-administratif@6.0.0` and embedded in the binary.

use crate::text::{FastMap, place_key};
use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../assets/reference_cog2026.tsv");

/// Vintage of the embedded reference data, shown by `--version`.
pub const VINTAGE: &str = "COG 2026 (@etalab/decoupage-administratif 6.0.0)";

#[derive(Debug, Clone)]
pub struct Commune {
    pub insee: &'static str,
    pub nom: &'static str,
    pub departement: &'static str,
    /// SIREN of the EPCI à fiscalité propre, when the commune belongs to one.
    pub epci: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Epci {
    pub siren: &'static str,
    pub nom: &'static str,
    /// CA, CC, CU, METRO, MET69...
    pub kind: &'static str,
    pub membres: Vec<usize>,
}

/// Little words left out of an EPCI's acronym.
const MOTS_VIDES: [&str; 14] = ["de", "du", "des", "d", "la", "le", "les", "l", "et", "en", "sur", "a", "au", "aux"];

impl Epci {
    /// Its legal form (abbreviated and spelt out, as keys) and the words of its name without
    /// that form and the little words before them (« CA de Sophia Antipolis » → `ca`,
    /// `communaute d agglomeration`, [`sophia`, `antipolis`]).
    pub fn forme_et_nom(&self) -> (&'static str, &'static str, Vec<String>) {
        let full = crate::text::key(self.nom);
        let words: Vec<&str> = full.split(' ').collect();
        let (abbr, long) = match self.kind {
            "CA" => ("ca", "communaute d agglomeration"),
            "CC" => ("cc", "communaute de communes"),
            "CU" => ("cu", "communaute urbaine"),
            _ => ("metropole", "metropole"),
        };
        let first = words.first().copied().unwrap_or("");
        let mut rest: &[&str] =
            if first == abbr || first == "metropole" || first == "eurometropole" { &words[1..] } else { &words[..] };
        while let Some((w, r)) = rest.split_first() {
            if MOTS_VIDES.contains(w) {
                rest = r;
            } else {
                break;
            }
        }
        (abbr, long, rest.iter().map(|w| w.to_string()).collect())
    }

    /// Its acronyms, as keys: « casa », « ca sa », « metropole sa » for the CA de Sophia
    /// Antipolis; « mtpm », « metropole tpm » and, from three words on, the name's own initials
    /// « tpm » for Toulon Provence Méditerranée (two letters would be read everywhere).
    pub fn sigles(&self) -> Vec<String> {
        let (abbr, long, nom) = self.forme_et_nom();
        let sig: Vec<&str> = nom.iter().map(String::as_str).filter(|w| !MOTS_VIDES.contains(w)).collect();
        if sig.len() < 2 {
            return vec![];
        }
        let acr: String = sig.iter().filter_map(|w| w.chars().next()).collect();
        let long_acr: String =
            long.split(' ').filter(|w| !MOTS_VIDES.contains(w)).filter_map(|w| w.chars().next()).collect();
        let mut out = vec![format!("{long_acr}{acr}"), format!("{abbr} {acr}"), format!("metropole {acr}")];
        if sig.len() >= 3 {
            out.push(acr);
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct Departement {
    pub code: String,
    pub nom: String,
    pub region: String,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub nom: String,
}

pub struct Reference {
    pub communes: Vec<Commune>,
    by_code: FastMap<&'static str, usize>,
    by_name: FastMap<String, Vec<usize>>,
    by_postal_code: FastMap<&'static str, Vec<usize>>,
    pub epcis: Vec<Epci>,
    epci_by_siren: FastMap<&'static str, usize>,
    pub departements: Vec<Departement>,
    pub regions: Vec<Region>,
}

/// The communes a dossier accepts: all, those of one EPCI, or those of one département.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Territoire {
    Tout,
    Epci(String),
    Departement(String),
}

/// A territory code that names nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "territoire inconnu « {0} » : donnez le SIREN d'un EPCI (9 chiffres, ex. 240600585) ou un code de département (ex. 06)"
)]
pub struct TerritoireInconnu(pub String);

impl Territoire {
    /// Parses `--territoire`: an EPCI SIREN (9 digits) or a département code.
    pub fn parse(s: &str) -> Result<Self, TerritoireInconnu> {
        let s = s.trim();
        let r = reference();
        if s.is_empty() || s.eq_ignore_ascii_case("tout") {
            return Ok(Self::Tout);
        }
        if r.epci(s).is_some() {
            return Ok(Self::Epci(s.to_string()));
        }
        let dep =
            if s.len() == 1 && s.chars().all(|c| c.is_ascii_digit()) { format!("0{s}") } else { s.to_uppercase() };
        if r.departement(&dep).is_some() {
            return Ok(Self::Departement(dep));
        }
        Err(TerritoireInconnu(s.to_string()))
    }

    pub fn code(&self) -> String {
        match self {
            Self::Tout => String::new(),
            Self::Epci(s) | Self::Departement(s) => s.clone(),
        }
    }

    pub fn contains(&self, c: &Commune) -> bool {
        match self {
            Self::Tout => true,
            Self::Epci(s) => c.epci == Some(s),
            Self::Departement(d) => c.departement == d,
        }
    }

    /// The territory's name for titles (`CA de Sophia Antipolis`, `Alpes-Maritimes`).
    pub fn label(&self) -> String {
        let r = reference();
        match self {
            Self::Tout => "France entière".into(),
            Self::Epci(s) => r.epci(s).map(|e| e.nom.to_string()).unwrap_or_else(|| s.clone()),
            Self::Departement(d) => r.departement(d).map(|e| e.nom.clone()).unwrap_or_else(|| d.clone()),
        }
    }

    /// The département of the territory: the département itself, or the one holding most
    /// of the EPCI's communes. Used for a bare "Conseil départemental".
    pub fn departement(&self) -> Option<String> {
        let r = reference();
        match self {
            Self::Tout => None,
            Self::Departement(d) => Some(d.clone()),
            Self::Epci(s) => {
                let e = r.epci(s)?;
                let mut counts: HashMap<&str, usize> = HashMap::new();
                for &i in &e.membres {
                    *counts.entry(r.communes[i].departement).or_default() += 1;
                }
                counts.into_iter().max_by_key(|(d, n)| (*n, std::cmp::Reverse(*d))).map(|(d, _)| d.to_string())
            }
        }
    }

    pub fn region(&self) -> Option<String> {
        let d = self.departement()?;
        reference().departement(&d).map(|d| d.region.clone())
    }
}

impl Territoire {
    /// What the territory is, for the lists where one is chosen: « EPCI 240600585 »,
    /// « département 06 ».
    pub fn nature(&self) -> String {
        match self {
            Self::Tout => "toutes les communes".into(),
            Self::Epci(s) => format!("EPCI {s}"),
            Self::Departement(d) => format!("département {d}"),
        }
    }

    /// The communes of the territory (none for `Tout`: a whole country is not listed), in
    /// French alphabetical order.
    pub fn communes(&self) -> Vec<&'static Commune> {
        let r = reference();
        let mut v: Vec<&Commune> = match self {
            Self::Tout => vec![],
            Self::Epci(s) => r.epci(s).map(|e| e.membres.iter().map(|&i| &r.communes[i]).collect()).unwrap_or_default(),
            Self::Departement(d) => r.communes.iter().filter(|c| c.departement == d).collect(),
        };
        v.sort_by(|a, b| crate::text::ordre_francais(a.nom, b.nom));
        v
    }
}

impl Commune {
    /// The commune with its département and code, so that homonyms can be told apart:
    /// « Gourdon (Alpes-Maritimes, 06068) ».
    pub fn libelle_complet(&self) -> String {
        let dep = reference().departement(self.departement).map(|d| d.nom.as_str()).unwrap_or(self.departement);
        format!("{} ({dep}, {})", self.nom, self.insee)
    }
}

impl Reference {
    /// The communes to propose for a label that matched none: those of the territory first,
    /// then, outside it, those whose whole name the label contains (« VILLE GOURDON » → the
    /// four Gourdon of France) or, when something is typed, those whose name contains it.
    /// Closest names first within each part; at most `max`.
    pub fn communes_proposees(
        &self,
        libelle: &str,
        territoire: &Territoire,
        recherche: &str,
        max: usize,
    ) -> Vec<&Commune> {
        let cible = place_key(libelle);
        let q = place_key(recherche);
        let mut candidats: Vec<&Commune> = Vec::new();
        if q.is_empty() {
            candidats.extend(territoire.communes());
            // The names the label holds, word for word (« ville gourdon » → « gourdon »).
            let mots: Vec<&str> = cible.split(' ').filter(|w| !w.is_empty()).collect();
            for i in 0..mots.len() {
                for j in i + 1..=mots.len() {
                    let nom = mots[i..j].join(" ");
                    if nom.len() >= 3
                        && let Some(v) = self.by_name.get(&nom)
                    {
                        candidats.extend(v.iter().map(|&k| &self.communes[k]));
                    }
                }
            }
        } else {
            for (k, v) in &self.by_name {
                if k.contains(&q) {
                    candidats.extend(v.iter().map(|&i| &self.communes[i]));
                }
            }
            candidats.extend(self.commune_by_code(recherche));
        }
        let mut vus = std::collections::HashSet::new();
        candidats.retain(|c| vus.insert(c.insee));
        let dedans_le_territoire = |c: &Commune| *territoire != Territoire::Tout && territoire.contains(c);
        let (mut dedans, mut dehors): (Vec<&Commune>, Vec<&Commune>) =
            candidats.into_iter().partition(|c| dedans_le_territoire(c));
        let proche = |c: &&Commune| crate::text::distance(&place_key(c.nom), &cible);
        dedans.sort_by_cached_key(|c| (proche(c), c.nom));
        dehors.sort_by_cached_key(|c| (proche(c), c.departement));
        dedans.into_iter().chain(dehors).take(max).collect()
    }

    /// The territories a dossier may cover whose name or code matches what was typed
    /// (« sophia », « 240600585 », « 06 », « alpes-mar »), best first: codes, then names that
    /// start with it, then names that contain it, then the EPCI and département of a commune
    /// of that name (« Antibes » → CA de Sophia Antipolis). At most `max`.
    pub fn chercher_territoires(&self, saisie: &str, max: usize) -> Vec<Territoire> {
        let q = crate::text::key(saisie);
        if q.is_empty() {
            return vec![];
        }
        let code = saisie.trim().to_uppercase();
        let mut found: Vec<(u8, String, Territoire)> = Vec::new();
        let rank = |nom: &str, c: &str| -> Option<u8> {
            let k = crate::text::key(nom);
            if c == code {
                Some(0)
            } else if k.starts_with(&q) || k.split(' ').any(|w| w.starts_with(&q)) {
                Some(1)
            } else if k.contains(&q) || (code.len() >= 2 && c.starts_with(&code)) {
                Some(2)
            } else {
                None
            }
        };
        for e in &self.epcis {
            // « CASA », « MTPM »: an acronym typed whole ranks with the codes.
            let r = rank(e.nom, e.siren).or_else(|| e.sigles().contains(&q).then_some(0));
            if let Some(r) = r {
                found.push((r, e.nom.to_string(), Territoire::Epci(e.siren.to_string())));
            }
        }
        for d in &self.departements {
            if let Some(r) = rank(&d.nom, &d.code) {
                found.push((r, d.nom.clone(), Territoire::Departement(d.code.clone())));
            }
        }
        for c in self.communes_by_name(saisie) {
            if let Some(e) = c.epci.and_then(|s| self.epci(s)) {
                found.push((3, e.nom.to_string(), Territoire::Epci(e.siren.to_string())));
            }
            if let Some(d) = self.departement(c.departement) {
                found.push((3, d.nom.clone(), Territoire::Departement(d.code.clone())));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| crate::text::ordre_francais(&a.1, &b.1)));
        let mut out: Vec<Territoire> = Vec::new();
        for (_, _, t) in found {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out.truncate(max);
        out
    }
}

pub fn reference() -> &'static Reference {
    static REF: OnceLock<Reference> = OnceLock::new();
    REF.get_or_init(|| Reference::parse(DATA))
}

/// Why a commune could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommuneError {
    Inconnue,
    HorsTerritoire,
}

impl Reference {
    fn parse(data: &'static str) -> Self {
        let mut r = Reference {
            communes: Vec::with_capacity(35_000),
            by_code: FastMap::with_capacity_and_hasher(45_000, Default::default()),
            by_name: FastMap::with_capacity_and_hasher(40_000, Default::default()),
            by_postal_code: FastMap::with_capacity_and_hasher(7_000, Default::default()),
            epcis: Vec::with_capacity(1_300),
            epci_by_siren: FastMap::default(),
            departements: Vec::new(),
            regions: Vec::new(),
        };
        let mut formers: Vec<(&str, &str, &str)> = Vec::new();
        let mut f: Vec<&'static str> = Vec::with_capacity(8);
        for line in data.lines() {
            f.clear();
            f.extend(line.split('\t'));
            match f.as_slice() {
                ["R", code, nom] => r.regions.push(Region { code: code.to_string(), nom: nom.to_string() }),
                ["D", code, nom, region] => r.departements.push(Departement {
                    code: code.to_string(),
                    nom: nom.to_string(),
                    region: region.to_string(),
                }),
                ["E", siren, nom, kind] => {
                    r.epci_by_siren.insert(siren, r.epcis.len());
                    r.epcis.push(Epci { siren, nom, kind, membres: vec![] });
                }
                ["C", code, nom, dep, epci, cps] => {
                    let i = r.communes.len();
                    r.communes.push(Commune {
                        insee: code,
                        nom,
                        departement: dep,
                        epci: (!epci.is_empty()).then_some(*epci),
                    });
                    r.by_code.insert(code, i);
                    r.by_name.entry(place_key(nom)).or_default().push(i);
                    for cp in cps.split(',').filter(|c| !c.is_empty()) {
                        r.by_postal_code.entry(cp).or_default().push(i);
                    }
                    if let Some(&e) = r.epci_by_siren.get(*epci) {
                        r.epcis[e].membres.push(i);
                    }
                }
                ["A", code, nom, parent, _kind] => formers.push((code, nom, parent)),
                _ => {}
            }
        }
        for (code, nom, parent) in formers {
            let Some(&i) = r.by_code.get(parent) else { continue };
            r.by_code.entry(code).or_insert(i);
            if !nom.is_empty() {
                let v = r.by_name.entry(place_key(nom)).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        r
    }

    pub fn epci(&self, siren: &str) -> Option<&Epci> {
        self.epci_by_siren.get(siren.trim()).map(|&i| &self.epcis[i])
    }

    pub fn departement(&self, code: &str) -> Option<&Departement> {
        self.departements.iter().find(|d| d.code == code)
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|d| d.code == code)
    }

    pub fn commune(&self, insee: &str) -> Option<&Commune> {
        self.by_code.get(insee).map(|&i| &self.communes[i])
    }

    /// A commune by its INSEE code, current or former; a 4-digit code lost its leading zero.
    pub fn commune_by_code(&self, code: &str) -> Option<&Commune> {
        let code = code.trim();
        let padded;
        let code = if code.len() == 4 && code.chars().all(|c| c.is_ascii_digit()) {
            padded = format!("0{code}");
            padded.as_str()
        } else {
            code
        };
        let upper = code.to_ascii_uppercase();
        self.by_code.get(upper.as_str()).map(|&i| &self.communes[i])
    }

    /// Current communes whose name (or former name) has this key.
    pub fn communes_by_name(&self, name: &str) -> Vec<&Commune> {
        let k = place_key(&reorder_article(name));
        self.by_name.get(&k).map(|v| v.iter().map(|&i| &self.communes[i]).collect()).unwrap_or_default()
    }

    /// The single commune of a postal code, if the code serves only one.
    pub fn commune_by_postal_code(&self, cp: &str, territoire: &Territoire) -> Option<&Commune> {
        let cp = cp.trim();
        let padded;
        let cp = if cp.len() == 4 && cp.chars().all(|c| c.is_ascii_digit()) {
            padded = format!("0{cp}");
            padded.as_str()
        } else {
            cp
        };
        let v = self.by_postal_code.get(cp)?;
        pick_one(v.iter().map(|&i| &self.communes[i]).collect(), territoire)
    }

    /// Resolves a commune written as a code, `code - nom`, or a name. A name shared by
    /// several communes resolves to the one inside the territory, if exactly one.
    pub fn resolve_commune(&self, raw: &str, territoire: &Territoire) -> Result<&Commune, CommuneError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(CommuneError::Inconnue);
        }
        let c = if let Some((code, name)) = split_code_name(raw) {
            self.commune_by_code(code).or_else(|| self.by_name_in(name, territoire))
        } else if looks_like_code(raw) {
            self.commune_by_code(raw)
        } else {
            self.by_name_in(raw, territoire)
        };
        match c {
            Some(c) if territoire.contains(c) => Ok(c),
            Some(_) => Err(CommuneError::HorsTerritoire),
            None => {
                // A name shared by several communes none of which is in the territory.
                if *territoire != Territoire::Tout && !looks_like_code(raw) && !self.communes_by_name(raw).is_empty() {
                    Err(CommuneError::HorsTerritoire)
                } else {
                    Err(CommuneError::Inconnue)
                }
            }
        }
    }

    fn by_name_in(&self, name: &str, territoire: &Territoire) -> Option<&Commune> {
        // « Antibes Cedex », « Antibes (06) », « Gourdon (Alpes-Maritimes) »: the postal mention
        // goes, the département in parentheses chooses among homonyms.
        let mut name = name.trim();
        let mut dep: Option<String> = None;
        if let Some(open) = name.rfind('(')
            && name.ends_with(')')
        {
            let inside = name[open + 1..name.len() - 1].trim();
            let code = if inside.len() == 1 { format!("0{inside}") } else { inside.to_uppercase() };
            dep = self
                .departement(&code)
                .or_else(|| self.departements.iter().find(|d| place_key(&d.nom) == place_key(inside)))
                .map(|d| d.code.clone());
            if dep.is_some() {
                name = name[..open].trim();
            }
        }
        let k = place_key(name);
        let name = match k.strip_suffix(" cedex") {
            Some(_) => name[..name.to_ascii_lowercase().rfind("cedex").unwrap_or(name.len())].trim(),
            None => name,
        };
        let cands = self.communes_by_name(name);
        match dep {
            Some(d) => pick_one(cands.into_iter().filter(|c| c.departement == d).collect(), &Territoire::Tout),
            None => pick_one(cands, territoire),
        }
    }
}

fn pick_one<'a>(cands: Vec<&'a Commune>, territoire: &Territoire) -> Option<&'a Commune> {
    match cands.len() {
        0 => None,
        1 => Some(cands[0]),
        _ => {
            let inside: Vec<_> = cands.into_iter().filter(|c| territoire.contains(c)).collect();
            if inside.len() == 1 { Some(inside[0]) } else { None }
        }
    }
}

/// An INSEE code: 4 or 5 digits, or a Corsican 2A/2B code.
pub fn looks_like_code(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        4 => b.iter().all(u8::is_ascii_digit),
        5 => {
            (b[0].is_ascii_digit() && b[1].is_ascii_digit()
                || b[0] == b'2' && matches!(b[1], b'A' | b'B' | b'a' | b'b'))
                && b[2..].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// `83137 - Toulon`, `83137 Toulon`, `Toulon (83137)`.
fn split_code_name(s: &str) -> Option<(&str, &str)> {
    if let Some(open) = s.rfind('(')
        && s.ends_with(')')
    {
        let code = s[open + 1..s.len() - 1].trim();
        if looks_like_code(code) {
            return Some((code, s[..open].trim()));
        }
    }
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric()))?;
    let (code, rest) = s.split_at(end);
    if !looks_like_code(code) {
        return None;
    }
    let name = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '–' || c == ':' || c == '_');
    Some((code, name.trim()))
}

/// `Seyne-sur-Mer (La)` → `La Seyne-sur-Mer`.
fn reorder_article(name: &str) -> String {
    let n = name.trim();
    for art in ["(La)", "(Le)", "(Les)", "(L')", "(LA)", "(LE)", "(LES)", "(L)"] {
        if let Some(base) = n.strip_suffix(art) {
            let a = &art[1..art.len() - 1];
            let sep = if a.ends_with('\'') { "" } else { " " };
            return format!("{a}{sep}{}", base.trim());
        }
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn casa() -> Territoire {
        Territoire::Epci("240600585".into())
    }

    #[test]
    fn communes_resolve_by_code_even_without_leading_zero() {
        let r = reference();
        assert_eq!(r.commune_by_code("6088").unwrap().nom, "Nice");
        assert_eq!(r.commune_by_code("06004").unwrap().nom, "Antibes");
        assert_eq!(r.commune_by_code("2A004").unwrap().nom, "Ajaccio");
    }

    #[test]
    fn communes_resolve_by_name_variants() {
        let r = reference();
        let t = Territoire::Tout;
        assert_eq!(r.resolve_commune("LA SEYNE SUR MER", &t).unwrap().insee, "83126");
        assert_eq!(r.resolve_commune("Seyne-sur-Mer (La)", &t).unwrap().insee, "83126");
        assert_eq!(r.resolve_commune("St-Paul-de-Vence", &casa()).unwrap().insee, "06128");
        assert_eq!(r.resolve_commune("83137 - Toulon", &t).unwrap().insee, "83137");
        assert_eq!(r.resolve_commune("CHÂTEAUNEUF-GRASSE", &casa()).unwrap().insee, "06038");
    }

    #[test]
    fn a_shared_name_resolves_inside_the_territory() {
        let r = reference();
        assert_eq!(r.resolve_commune("Gourdon", &casa()).unwrap().insee, "06068");
        assert_eq!(r.resolve_commune("Gourdon", &Territoire::Tout).unwrap_err(), CommuneError::Inconnue);
    }

    #[test]
    fn a_former_commune_is_its_current_commune() {
        let r = reference();
        assert_eq!(r.resolve_commune("Romette", &Territoire::Tout).unwrap().insee, "05061");
        assert_eq!(r.resolve_commune("Romette", &casa()).unwrap_err(), CommuneError::HorsTerritoire);
    }

    #[test]
    fn postal_mentions_and_departements_in_parentheses() {
        let r = reference();
        assert_eq!(r.resolve_commune("Antibes Cedex", &casa()).unwrap().insee, "06004");
        assert_eq!(r.resolve_commune("Antibes (06)", &casa()).unwrap().insee, "06004");
        assert_eq!(r.resolve_commune("Gourdon (46)", &Territoire::Tout).unwrap().insee, "46127");
        assert_eq!(r.resolve_commune("Gourdon (Lot)", &Territoire::Tout).unwrap().insee, "46127");
    }

    #[test]
    fn near_misses_are_not_resolved() {
        let r = reference();
        assert_eq!(r.resolve_commune("Valbone", &casa()).unwrap_err(), CommuneError::Inconnue);
        assert_eq!(r.resolve_commune("06999", &casa()).unwrap_err(), CommuneError::Inconnue);
        assert_eq!(r.resolve_commune("Cannes", &casa()).unwrap_err(), CommuneError::HorsTerritoire);
    }

    #[test]
    fn postal_codes_resolve_when_unambiguous() {
        let r = reference();
        assert_eq!(r.commune_by_postal_code("06560", &casa()).unwrap().insee, "06152");
        assert!(r.commune_by_postal_code("06600", &Territoire::Tout).is_some());
    }

    #[test]
    fn territories_parse_and_name_their_departement() {
        assert_eq!(casa().departement().as_deref(), Some("06"));
        assert_eq!(Territoire::parse("240600585").unwrap(), casa());
        assert_eq!(Territoire::parse("6").unwrap(), Territoire::Departement("06".into()));
        assert!(Territoire::parse("123").is_err());
        assert_eq!(reference().epci("240600585").unwrap().membres.len(), 24);
    }

    #[test]
    fn homonyms_are_proposed_with_the_territory_first() {
        let r = reference();
        // In the CASA, « VILLE GOURDON »: the Gourdon of the territory first, then the others.
        let p = r.communes_proposees("VILLE GOURDON", &casa(), "", 60);
        assert_eq!(p[0].insee, "06068");
        let gourdons: Vec<&str> = p.iter().filter(|c| c.nom == "Gourdon").map(|c| c.insee).collect();
        assert!(gourdons.len() >= 4 && gourdons[0] == "06068", "{gourdons:?}");
        assert!(p.iter().take(24).all(|c| casa().contains(c)), "the territory's communes first");
        // France entière: the homonyms the label names, each with its département, closest
        // first (« Ville » in the Oise is a commune too: after them).
        let p = r.communes_proposees("VILLE GOURDON", &Territoire::Tout, "", 10);
        assert!(
            p.len() >= 4 && p[..4].iter().all(|c| c.nom == "Gourdon"),
            "{:?}",
            p.iter().map(|c| c.libelle_complet()).collect::<Vec<_>>()
        );
        // Something typed: its communes, the territory's first.
        let p = r.communes_proposees("VILLE GOURDON", &casa(), "valbo", 10);
        assert_eq!(p[0].nom, "Valbonne");
    }

    #[test]
    fn territories_are_found_by_name_code_or_commune() {
        let r = reference();
        assert_eq!(r.chercher_territoires("sophia", 5), vec![casa()]);
        assert_eq!(r.chercher_territoires("240600585", 5)[0], casa());
        assert_eq!(r.chercher_territoires("06", 5)[0], Territoire::Departement("06".into()));
        let alpes = r.chercher_territoires("Alpes-Maritimes", 10);
        assert!(alpes.contains(&Territoire::Departement("06".into())), "{alpes:?}");
        // A commune's name proposes its EPCI and its département.
        let antibes = r.chercher_territoires("Antibes", 10);
        assert!(antibes.contains(&casa()) && antibes.contains(&Territoire::Departement("06".into())), "{antibes:?}");
        // The name every chargée de mission uses.
        assert_eq!(r.chercher_territoires("CASA", 5)[0], casa());
        assert_eq!(r.chercher_territoires("casa", 5)[0], casa());
        let tpm = Territoire::Epci("248300543".into());
        assert_eq!(r.chercher_territoires("MTPM", 5)[0], tpm);
        assert_eq!(r.chercher_territoires("TPM", 5)[0], tpm);
        assert!(r.chercher_territoires("  ", 5).is_empty());
        assert!(r.chercher_territoires("zzzzqx", 5).is_empty());
    }

    #[test]
    fn a_territory_lists_its_communes_and_homonyms_name_their_departement() {
        let communes = casa().communes();
        assert_eq!(communes.len(), 24);
        assert_eq!(communes[0].nom, "Antibes");
        assert!(communes.windows(2).all(|w| crate::text::ordre_francais(w[0].nom, w[1].nom).is_le()));
        assert!(Territoire::Tout.communes().is_empty());
        let r = reference();
        let mut gourdons: Vec<String> = r.communes_by_name("Gourdon").iter().map(|c| c.libelle_complet()).collect();
        gourdons.sort();
        assert!(gourdons.contains(&"Gourdon (Alpes-Maritimes, 06068)".to_string()), "{gourdons:?}");
        assert!(gourdons.contains(&"Gourdon (Lot, 46127)".to_string()), "{gourdons:?}");
        assert_eq!(casa().nature(), "EPCI 240600585");
    }
}
