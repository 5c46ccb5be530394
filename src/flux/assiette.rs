//! The assiette (domaine.md, « The yearly flux »): which dwellings are excluded and why (PLI,
//! specific housing, défense, sale; hand-entered exclusions, rule 10), and the bailleur's
//! dwellings reduced to what the shares need: each commune's assiette and stocks, each
//! réservataire's mix.

use super::*;

/// Exclusion motifs, as the fiche récapitulative (DDETS 06 form) lists them.
/// The key `interfaces.md` shows (`"exclusions": {"PLI": …}`): LLI, loyer libre and intermédiaire are PLI.
pub const MOTIF_PLI: &str = "PLI";

pub const MOTIF_FTM: &str = "foyers de travailleurs migrants";

pub const MOTIF_MEDICO_SOCIAL: &str = "structures médico-sociales";

pub const MOTIF_CHRS: &str = "CHRS et résidences sociales";

/// A logement-foyer whose kind the file does not say.
pub const MOTIF_FOYERS: &str = "autres logements-foyers";

pub const MOTIF_ETUDIANTS: &str = "logements étudiants";

pub const MOTIF_DEFENSE: &str = "défense, sécurité intérieure, santé";

pub const MOTIF_VENTE: &str = "logements en vente ou à démolir";

/// The exclusion motifs the program recognises, in the order of the fiche.
pub const MOTIFS_D_EXCLUSION: [&str; 8] =
    [MOTIF_PLI, MOTIF_FTM, MOTIF_MEDICO_SOCIAL, MOTIF_CHRS, MOTIF_FOYERS, MOTIF_ETUDIANTS, MOTIF_DEFENSE, MOTIF_VENTE];

/// Why a dwelling is outside the assiette, if it is (PLI, specific housing, défense, sale).
pub fn exclusion(g: &Groupe) -> Option<&'static str> {
    if g.financement == Financement::Pli {
        return Some(MOTIF_PLI);
    }
    if let Some(n) = &g.nature {
        let k = key(n);
        let a = |mots: &[&str]| mots.iter().any(|m| k.contains(m));
        let mot = |sigles: &[&str]| k.split(' ').any(|w| sigles.contains(&w));
        if mot(&["ftm"])
            || a(&["travailleurs migrants", "foyer de travailleurs", "foyer travailleurs"]) && !a(&["jeunes"])
        {
            return Some(MOTIF_FTM);
        }
        if a(&["medico", "ehpad", "residence autonomie", "foyer logement", "handicap"]) || mot(&["mas", "fam", "ime"]) {
            return Some(MOTIF_MEDICO_SOCIAL);
        }
        if a(&["residence sociale", "pension de famille", "maison relais", "jeunes travailleurs"])
            || mot(&["chrs", "fjt"])
        {
            return Some(MOTIF_CHRS);
        }
        if a(&["foyer"]) {
            return Some(MOTIF_FOYERS);
        }
        if a(&["etudiant", "crous", "universitaire"]) {
            return Some(MOTIF_ETUDIANTS);
        }
        if a(&["en vente", "mis en vente", "demolition", "a demolir", "l 443 7"]) {
            return Some(MOTIF_VENTE);
        }
    }
    if g.reservataire == Reservataire::DEFENSE {
        return Some(MOTIF_DEFENSE);
    }
    None
}

/// The motif of a hand-entered exclusion as the fiche lists it: « vente », « L.443-7 »,
/// « démolition » go on the line of the dwellings being sold or demolished, « PLI » on the PLI
/// line, a kind of logement-foyer on its line; any other motif stays as typed.
pub fn motif_d_exclusion(motif: &str) -> String {
    let k = key(motif);
    if k.contains("vente") || k.contains("vendre") || k.contains("demoli") || k.contains("443") {
        return MOTIF_VENTE.to_string();
    }
    if k == "pli" || k == "lli" {
        return MOTIF_PLI.to_string();
    }
    let g = Groupe {
        commune: String::new(),
        reservataire: Reservataire::new(String::new()),
        financement: Financement::Plus,
        typologie: TypologieGrille::T3,
        qpv: false,
        nature: Some(motif.to_string()),
        logements: 0,
    };
    match exclusion(&g) {
        Some(m) => m.to_string(),
        None if k.contains("defense") || k.contains("securite interieure") => MOTIF_DEFENSE.to_string(),
        None => motif.trim().to_string(),
    }
}

/// The assiette of one commune and the stocks in it.
#[derive(Debug, Clone, Default)]
pub(super) struct BaseCommune {
    pub(super) insee: String,
    pub(super) parc: u64,
    pub(super) exclus: u64,
    pub(super) exclusions: BTreeMap<String, u64>,
    pub(super) assiette: u64,
    /// Réservataire → active stock inside the assiette (non réservé and the State included).
    pub(super) stocks: BTreeMap<Reservataire, u64>,
}

pub(super) type Cle = (Financement, TypologieGrille, bool);

/// The bailleur's dwellings on the territory, reduced to what the shares need.
#[derive(Debug, Clone, Default)]
pub(super) struct Base {
    pub(super) communes: Vec<BaseCommune>,
    pub(super) exclusions: BTreeMap<String, u64>,
    /// Réservataire → its stock's mix in the assiette (flux qualifié, rule 8).
    pub(super) cellules: BTreeMap<Reservataire, BTreeMap<Cle, u64>>,
    /// The whole assiette's mix (the State's flux qualifié, rule 7).
    pub(super) toutes: BTreeMap<Cle, u64>,
}

impl Base {
    pub(super) fn new(groupes: &[Groupe], p: &FluxParametres) -> Self {
        let mut by_commune: BTreeMap<&str, BaseCommune> = BTreeMap::new();
        let mut b = Base::default();
        for g in groupes {
            let c = by_commune
                .entry(&g.commune)
                .or_insert_with(|| BaseCommune { insee: g.commune.clone(), ..Default::default() });
            c.parc += g.logements;
            match exclusion(g) {
                Some(motif) => {
                    c.exclus += g.logements;
                    *c.exclusions.entry(motif.to_string()).or_default() += g.logements;
                    *b.exclusions.entry(motif.to_string()).or_default() += g.logements;
                }
                None => {
                    c.assiette += g.logements;
                    *c.stocks.entry(g.reservataire.clone()).or_default() += g.logements;
                    let k = (g.financement, g.typologie, g.qpv);
                    *b.cellules.entry(g.reservataire.clone()).or_default().entry(k).or_default() += g.logements;
                    *b.toutes.entry(k).or_default() += g.logements;
                }
            }
        }
        b.communes = by_commune.into_values().collect();
        for e in &p.exclusions_manuelles {
            b.exclure(e);
        }
        b
    }

    /// A hand-entered exclusion (rule 10): in its commune, else spread over the communes by
    /// their assiettes (or by the réservataire's stock when it names one).
    pub(super) fn exclure(&mut self, e: &ExclusionManuelle) {
        let motif = motif_d_exclusion(&e.motif);
        let targets: Vec<usize> = (0..self.communes.len())
            .filter(|&i| e.commune.as_ref().is_none_or(|c| *c == self.communes[i].insee))
            .collect();
        let weight = |c: &BaseCommune| match &e.reservataire {
            Some(id) => c.stocks.get(id.as_str()).copied().unwrap_or(0) as f64,
            None => c.assiette as f64,
        };
        let w: Vec<f64> = targets.iter().map(|&i| weight(&self.communes[i])).collect();
        let split = largest_remainder(e.logements, &w);
        let mut applied = 0;
        for (&i, n) in targets.iter().zip(split) {
            let c = &mut self.communes[i];
            let mut n = n.min(c.assiette);
            if let Some(id) = &e.reservataire {
                let s = c.stocks.entry(id.clone()).or_default();
                n = n.min(*s);
                *s -= n;
            }
            c.assiette -= n;
            c.exclus += n;
            if n > 0 {
                *c.exclusions.entry(motif.clone()).or_default() += n;
            }
            applied += n;
        }
        if applied > 0 {
            *self.exclusions.entry(motif).or_default() += applied;
        }
    }

    pub(super) fn parc(&self) -> u64 {
        self.communes.iter().map(|c| c.parc).sum()
    }

    pub(super) fn assiette(&self) -> u64 {
        self.communes.iter().map(|c| c.assiette).sum()
    }

    pub(super) fn stock(&self, id: &str) -> u64 {
        self.communes.iter().map(|c| c.stocks.get(id).copied().unwrap_or(0)).sum()
    }

    pub(super) fn ids(&self) -> BTreeSet<Reservataire> {
        self.communes.iter().flat_map(|c| c.stocks.keys().cloned()).collect()
    }
}
