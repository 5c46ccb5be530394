//! The annex of a reservation convention between one bailleur and one réservataire, on one
//! commune, one EPCI or, for a departmental convention (the State, Action Logement, the
//! département…), the département. It shows how the flux was derived (parc, each exclusion,
//! assiette, rotation rate or years averaged, libérations, each soustrait, flux; a commune's
//! own flux), the réservataire's rate **as applied** and why, every alert about it in words,
//! for the State its logements by commune and outside QPV against the 30 % floor, the stock
//! grid and the flux qualifié (indicative), then the signatures. Every figure comes from the
//! flux engine with the parameters saved in the dossier — the EPCI's part of the departmental
//! flux when that governs the year: the annex says what the flux screen and `contingents flux`
//! say. Written as xlsx (numbers as numbers, rates as percentages) or PDF.

use super::{
    ExportError,
    pdf::{Entete, Pdf, date_d_edition},
    save_workbook,
};
use crate::consolidate::{Cube, Filtre, Grille, libelle_reservataire, nom_commune, nom_epci};
use crate::flux::{Flux, FluxParametres, MethodeRotation, OrigineTaux, PartReservataire, Perimetre, Soustrait};
use crate::format::{commune_de, date_fr, entier, pourcentage};
use crate::model::{Portee, Reservataire, TypologieGrille};
use crate::reference::reference;
use crate::store::Dossier;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use std::collections::BTreeMap;
use std::path::Path;

/// The perimeter an annex covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerimetreAnnexe {
    Commune { insee: String, epci: String },
    Epci(String),
    Departement(String),
}

/// Everything the annex says, computed once for both formats.
pub struct Annexe {
    pub reservataire: String,
    pub bailleur: String,
    pub coordonnees: crate::store::bailleurs::Coordonnees,
    pub annee: i32,
    pub date_reference: String,
    pub perimetre: PerimetreAnnexe,
    /// « commune d'Antibes (06004) », « CA de Sophia Antipolis », « département Ain (01) ».
    pub libelle_perimetre: String,
    /// The flux of the EPCI (its part of the departmental flux when that governs the year), or
    /// of the département.
    pub flux: Flux,
    /// The réservataire's part (its rate on its own perimeter, as applied).
    pub part: Option<PartReservataire>,
    pub parc: u64,
    pub exclusions: BTreeMap<String, u64>,
    pub exclus: u64,
    pub assiette: u64,
    /// The réservataire's stock inside the assiette of the annex's perimeter (the State's: its
    /// agents' included, `stock_agents` of them).
    pub stock: u64,
    pub stock_agents: u64,
    /// Its whole stock in the état des lieux (excluded dwellings included), by financement ×
    /// typologie.
    pub grille: Grille,
    /// The flux of the annex's perimeter (a commune's part of the flux for a commune).
    pub flux_perimetre: u64,
    /// The réservataire's logements on the annex's perimeter (the State's: its agents' included).
    pub logements: u64,
    /// The parameters were saved for the year (else: carried over, or none).
    pub saisis: bool,
    pub annee_source: Option<i32>,
    /// The flux is the EPCI's part of the departmental flux saved for the year.
    pub departement_gouvernant: Option<String>,
    /// A departmental annex: the flux was saved for the département itself (else it is the sum
    /// of its EPCIs' flux), and the EPCIs whose flux was not saved for the year.
    pub departement_enregistre: bool,
    pub epcis_sans_parametres: Vec<String>,
    pub decompte: crate::suivi::Etape,
    pub regle_delai: crate::suivi::calendrier::RegleDelai,
}

/// « l'État », « Action Logement », « la commune d'Antibes », « le Département Ain (01) »: the
/// réservataire with the article a sentence needs (« réservés par l'État »).
pub fn par_le(id: &str) -> String {
    match Portee::de(id) {
        Portee::Etat => "l'État".into(),
        Portee::Fonctionnaires => "l'État au titre de ses agents civils et militaires".into(),
        Portee::NonReserve => "le bailleur (non réservé)".into(),
        Portee::Defense => "la défense, la sécurité intérieure ou la santé".into(),
        Portee::Commune => format!("la {}", commune_de(&nom_commune(Portee::Commune.code(id).unwrap_or_default()))),
        Portee::Epci => format!("la {}", libelle_reservataire(id)),
        Portee::Departement => format!("le {}", libelle_reservataire(id)),
        Portee::Region => format!("la {}", libelle_reservataire(id)),
        Portee::ActionLogement | Portee::Autre | Portee::Inconnue => libelle_reservataire(id),
    }
}

/// « de l'État », « d'Action Logement », « de la commune d'Antibes », « du Département Ain (01) ».
pub fn de_le(id: &str) -> String {
    let s = par_le(id);
    if let Some(r) = s.strip_prefix("le ") {
        return format!("du {r}");
    }
    let voyelle = s.chars().next().is_some_and(|c| "AEIOUYÉÈÊHaeiouyéèêh".contains(c));
    if voyelle { format!("d'{s}") } else { format!("de {s}") }
}

/// « à l'État », « à Action Logement », « à la commune d'Antibes », « au Département Ain (01) ».
pub fn a_le(id: &str) -> String {
    let s = par_le(id);
    match s.strip_prefix("le ") {
        Some(r) => format!("au {r}"),
        None => format!("à {s}"),
    }
}

/// The réservataires an annex covers: the State's covers its agents' contingent too.
fn ids_de(reservataire: &str) -> Vec<Reservataire> {
    if reservataire == Reservataire::ETAT {
        vec![Reservataire::ETAT, Reservataire::FONCTIONNAIRES]
    } else {
        vec![Reservataire::new(reservataire)]
    }
}

/// « 1 logement implanté », « 246 logements implantés ».
fn nombre(n: u64, singulier: &str, pluriel: &str) -> String {
    format!("{} {}", entier(n), if n > 1 { pluriel } else { singulier })
}

fn est_etat(id: &str) -> bool {
    matches!(Portee::de(id), Portee::Etat | Portee::Fonctionnaires)
}

impl Annexe {
    /// « 246 logements implantés, 34 exclus de l'assiette, 212 concernés par la gestion en
    /// flux ; 32 logements réservés par la commune d'Ornex, soit 15,1 % de l'assiette ».
    pub fn phrase(&self) -> String {
        // The State's share is a rate of the flux, never its stock's share: the headline says
        // the rate applied and its logements; the stock only as information.
        if est_etat(&self.reservataire)
            && let Some(p) = &self.part
        {
            let agents = self.flux.part(&Reservataire::FONCTIONNAIRES);
            let (qui, taux) = if self.reservataire == Reservataire::ETAT {
                ("part de l'État", p.taux + agents.map(|x| x.taux).unwrap_or(0.0))
            } else {
                ("part des agents civils et militaires de l'État", p.taux)
            };
            let dont = if self.reservataire == Reservataire::ETAT {
                let (_, fo) = logements_par_id(self);
                if fo > 0 {
                    format!(" (dont {} pour ses agents civils et militaires)", entier(fo))
                } else {
                    String::new()
                }
            } else {
                String::new()
            };
            let stock = if self.assiette > 0 {
                format!(
                    " ; pour information, {} dans l'assiette ({}), sans effet sur la part de l'État",
                    nombre(self.stock, "logement réservé par l'État", "logements réservés par l'État"),
                    pourcentage(self.stock as f64 / self.assiette as f64)
                )
            } else {
                String::new()
            };
            return format!(
                "{}, {} de l'assiette, {} par la gestion en flux ; {qui} : {} du flux, soit {} en {}{dont}{stock}",
                nombre(self.parc, "logement implanté", "logements implantés"),
                nombre(self.exclus, "exclu", "exclus"),
                nombre(self.assiette, "concerné", "concernés"),
                pourcentage(taux),
                crate::format::logements(self.logements),
                self.annee,
            );
        }
        let pct = if self.assiette > 0 { pourcentage(self.stock as f64 / self.assiette as f64) } else { "–".into() };
        let agents = if self.reservataire == Reservataire::ETAT && self.stock_agents > 0 {
            format!(" (dont {} pour ses agents civils et militaires)", entier(self.stock_agents))
        } else {
            String::new()
        };
        // The commune's own convention on its commune: « réservés par la commune », as the
        // published annexes say it.
        let par = match (&self.perimetre, Portee::Commune.code(&self.reservataire)) {
            (PerimetreAnnexe::Commune { insee, .. }, Some(c)) if insee == c => "la commune".to_string(),
            _ => par_le(&self.reservataire),
        };
        format!(
            "{}, {} de l'assiette, {} par la gestion en flux ; {} par {par}{agents}, soit {pct}",
            nombre(self.parc, "logement implanté", "logements implantés"),
            nombre(self.exclus, "exclu", "exclus"),
            nombre(self.assiette, "concerné", "concernés"),
            nombre(self.stock, "logement réservé", "logements réservés"),
        )
    }

    /// How the réservataire's rate was set, in words for the signatories: never a rate asked
    /// beyond a legal ceiling presented as the convention's.
    pub fn origine_du_taux(&self) -> String {
        match &self.part {
            Some(p) => origine(p, &self.flux),
            None => "aucune part dans le flux".into(),
        }
    }
    /// The alerts about the réservataire (on the annex's commune for a commune annex), and
    /// those about the whole flux, in words.
    pub fn alertes(&self) -> Vec<String> {
        let commune = match &self.perimetre {
            PerimetreAnnexe::Commune { insee, .. } => Some(insee.as_str()),
            _ => None,
        };
        let mut v: Vec<String> = self
            .flux
            .alertes
            .iter()
            .filter(|a| {
                let concerne = match a.reservataire.as_deref() {
                    Some(r) => r == self.reservataire || (est_etat(&self.reservataire) && est_etat(r)),
                    None => a.commune.is_none() || a.commune.as_deref() == commune,
                };
                concerne && (commune.is_none() || a.commune.is_none() || a.commune.as_deref() == commune)
            })
            .map(|a| a.detail.clone())
            .collect();
        v.dedup();
        if let Some(p) = &self.part
            && crate::flux::est_collectivite(&p.id)
        {
            v.push(if p.apport {
                "Apport de terrain ou de financement enregistré : la réservation compte hors du plafond de 20 % du flux des collectivités garantes".into()
            } else {
                "Aucun apport de terrain ou de financement enregistré : la réservation, contrepartie de garanties d'emprunt, compte dans le plafond de 20 % du flux sur le territoire (avec celles des autres collectivités garantes)".into()
            });
        }
        if !self.saisis {
            v.insert(
                0,
                match self.annee_source {
                    Some(y) => {
                        format!("Paramètres du flux repris de {y} : à confirmer pour {} avant signature", self.annee)
                    }
                    None if !self.epcis_sans_parametres.is_empty() => format!(
                        "Paramètres du flux {} non enregistrés pour {} : à saisir avant signature",
                        self.annee,
                        self.epcis_sans_parametres.join(", ")
                    ),
                    None => format!("Paramètres du flux {} non enregistrés : à saisir avant signature", self.annee),
                },
            );
        }
        v
    }

    /// A readable file name: « Annexe État (contingent préfectoral) — Habitat Azur — Antibes — 2025 ».
    pub fn nom_de_fichier(&self, extension: &str) -> String {
        let lieu = match &self.perimetre {
            PerimetreAnnexe::Commune { insee, .. } => nom_commune(insee),
            PerimetreAnnexe::Epci(e) => nom_epci(e),
            PerimetreAnnexe::Departement(d) => format!("département {d}"),
        };
        let s = format!(
            "Annexe {} — {} — {lieu} — {}.{extension}",
            libelle_reservataire(&self.reservataire),
            self.bailleur,
            self.annee
        );
        s.chars().map(|c| if "/\\:*?\"<>|".contains(c) { '-' } else { c }).collect()
    }
}

/// How a réservataire's rate was set, in words for the signatories: never a rate asked beyond a
/// legal ceiling presented as the convention's.
fn origine(p: &PartReservataire, f: &Flux) -> String {
    match (Portee::de(&p.id), p.origine) {
        (Portee::Etat, OrigineTaux::Plafonne) => format!(
            "30 % appliqués, plafonné : {} demandés pour l'État, sans arrêté préfectoral en vigueur ; le plafond de 30 % du flux s'applique",
            pourcentage(
                p.taux_demande.unwrap_or(p.taux)
                    + f.part(&Reservataire::FONCTIONNAIRES).map(|f| f.taux_demande.unwrap_or(f.taux)).unwrap_or(0.0)
            )
        ),
        (Portee::Fonctionnaires, OrigineTaux::Plafonne) => format!(
            "{} appliqués, plafonné : {} demandés, au-delà du plafond légal de 5 % du flux pour les agents civils et militaires de l'État",
            pourcentage(p.taux),
            pourcentage(p.taux_demande.unwrap_or(p.taux))
        ),
        (Portee::Etat, OrigineTaux::Defaut) => {
            "30 % du flux par défaut, fonctionnaires compris (instruction du 28 mars 2022 §4.2)".into()
        }
        (Portee::Fonctionnaires, OrigineTaux::Defaut) => {
            "part du stock des agents de l'État dans l'assiette, au plus 5 % (en l'absence de demande de l'État)".into()
        }
        (Portee::Etat, _) => match &f.parametres.arrete_prefectoral {
            Some(a) if !a.trim().is_empty() => format!("fixé par arrêté préfectoral ({a})"),
            _ => "fixé par les parties (demande de l'État)".into(),
        },
        (Portee::Fonctionnaires, _) => "demande de l'État pour l'année".into(),
        (_, OrigineTaux::Fixe) => "fixé par les parties".into(),
        _ => format!(
            "stock réservé dans l'assiette ({}) rapporté à l'assiette de son périmètre ({})",
            entier(p.stock),
            entier(p.assiette)
        ),
    }
}

/// The bailleur of the annex: the one given, else the only one on the perimeter.
fn bailleur_du_perimetre(
    cube: &Cube,
    bailleur: Option<&str>,
    commune: Option<&str>,
    epci: Option<&str>,
) -> Result<String, ExportError> {
    if let Some(b) = bailleur {
        return Ok(b.to_string());
    }
    let f = Filtre { commune: commune.map(str::to_string), epci: epci.map(str::to_string), ..Default::default() };
    let mut noms: Vec<String> = cube
        .counts_by(&f, None, crate::consolidate::Dimension::Bailleur)
        .into_iter()
        .map(|(b, _)| b.to_string())
        .collect();
    noms.sort();
    noms.dedup();
    match noms.len() {
        1 => Ok(noms.remove(0)),
        0 => Err(ExportError::Donnees("aucun logement sur ce périmètre dans le dossier".into())),
        _ => Err(ExportError::Donnees(format!(
            "une convention lie un bailleur et un réservataire : précisez le bailleur (sur ce périmètre : {})",
            noms.join(", ")
        ))),
    }
}

/// The annex of a convention on a commune or an EPCI.
pub fn calculer_annexe(
    d: &Dossier,
    reservataire: &str,
    commune: Option<&str>,
    epci: Option<&str>,
    bailleur: Option<&str>,
    annee: Option<i32>,
) -> Result<Annexe, ExportError> {
    let epci_flux = match (commune, epci) {
        (Some(c), _) => reference()
            .commune(c)
            .and_then(|c| c.epci)
            .map(str::to_string)
            .ok_or_else(|| ExportError::Donnees(format!("commune {c} inconnue ou sans EPCI")))?,
        (_, Some(e)) => e.to_string(),
        _ => return Err(ExportError::Donnees("précisez la commune (code INSEE) ou l'EPCI (SIREN)".into())),
    };
    let perimetre = match commune {
        Some(c) => PerimetreAnnexe::Commune { insee: c.to_string(), epci: epci_flux.clone() },
        None => PerimetreAnnexe::Epci(epci_flux.clone()),
    };
    let libelle_perimetre = match commune {
        Some(c) => format!("la {} ({c})", commune_de(&nom_commune(c))),
        None => format!("l'EPCI {}", nom_epci(&epci_flux)),
    };
    let cube = Cube::load(d)?;
    let bailleur = bailleur_du_perimetre(&cube, bailleur, commune, epci.or(Some(&epci_flux)))?;
    let annee = annee.unwrap_or(d.date_reference().year);
    let g = crate::flux::groupes(d, &bailleur, &epci_flux)?;
    if g.is_empty() || (commune.is_some() && !g.iter().any(|x| Some(x.commune.as_str()) == commune)) {
        return Err(ExportError::Donnees(format!(
            "aucun logement de « {bailleur} » sur le périmètre : {libelle_perimetre}"
        )));
    }
    let gouvernant = crate::flux::departement_gouvernant(d, &bailleur, &g, annee)?;
    let flux = crate::flux::flux_de_l_epci(d, &bailleur, &epci_flux, annee, &g)?;
    let (saisis, annee_source) = match &gouvernant {
        Some(_) => (true, None),
        None => {
            let p = crate::flux::parametres(d, &bailleur, &epci_flux, annee)?;
            (p.saisis() && p.annee_source.is_none(), p.annee_source)
        }
    };
    let part = flux.part(reservataire).cloned();
    let ids = ids_de(reservataire);
    let (parc, exclus, exclusions, assiette, flux_perimetre, logements) = match commune {
        Some(c) => {
            let fc = flux.communes.iter().find(|x| x.commune == c).ok_or_else(|| {
                ExportError::Donnees(format!("la commune {c} n'est pas dans le flux de « {bailleur} »"))
            })?;
            let l = fc.reservataires.iter().filter(|r| ids.contains(&r.id)).map(|r| r.logements).sum();
            (fc.parc, fc.exclus, fc.exclusions.clone(), fc.assiette, fc.flux, l)
        }
        None => (
            flux.parc,
            flux.exclus,
            flux.exclusions.clone(),
            flux.assiette,
            flux.flux,
            ids.iter().map(|id| flux.logements(id)).sum(),
        ),
    };
    // The stock inside the assiette of the annex's perimeter (manual exclusions included).
    let dans_le_perimetre = crate::flux::groupes_perimetre(d, Some(&bailleur), commune, Some(&epci_flux))?;
    let stock_de = |id: &str| -> u64 {
        dans_le_perimetre
            .iter()
            .filter(|x| x.reservataire == id && crate::flux::exclusion(x).is_none())
            .map(|x| x.logements)
            .sum()
    };
    let stock_agents = if reservataire == Reservataire::ETAT { stock_de(&Reservataire::FONCTIONNAIRES) } else { 0 };
    let stock = stock_agents
        + match (&part, commune) {
            (Some(r), Some(c)) if r.perimetre == Perimetre::Commune(c.to_string()) => r.stock,
            (Some(r), None) if r.perimetre == Perimetre::Epci(epci_flux.clone()) => r.stock,
            _ => stock_de(reservataire),
        };
    let mut grille = Grille::default();
    for id in &ids {
        let f = Filtre {
            reservataire: Some(Reservataire::new(id.to_string())),
            commune: commune.map(str::to_string),
            epci: Some(epci_flux.clone()),
            bailleur: Some(bailleur.clone()),
            ..Default::default()
        };
        ajouter(&mut grille, cube.grille(&f));
    }
    Ok(Annexe {
        reservataire: reservataire.into(),
        coordonnees: d.coordonnees_du_bailleur(&bailleur)?,
        decompte: crate::suivi::etape_decompte(d, &bailleur, reservataire),
        regle_delai: crate::suivi::regle_delai(d, &bailleur, reservataire),
        bailleur,
        annee,
        date_reference: d.date_reference().to_string(),
        perimetre,
        libelle_perimetre,
        flux,
        part,
        parc,
        exclusions,
        exclus,
        assiette,
        stock,
        stock_agents,
        grille,
        flux_perimetre,
        logements,
        saisis,
        annee_source,
        departement_gouvernant: gouvernant,
        departement_enregistre: false,
        epcis_sans_parametres: vec![],
    })
}

/// Adds a grid to another.
fn ajouter(grille: &mut Grille, g: Grille) {
    for (fin, row) in g.counts {
        let t = grille.counts.entry(fin).or_default();
        for (x, n) in t.iter_mut().zip(row) {
            *x += n;
        }
    }
}

/// The departmental annex of a departmental convention (the State, its agents, Action
/// Logement, the département, the région…): the departmental flux, the réservataire's share and
/// its breakdown by EPCI and commune.
pub fn calculer_annexe_departementale(
    d: &Dossier,
    reservataire: &str,
    departement: &str,
    bailleur: Option<&str>,
    annee: Option<i32>,
) -> Result<Annexe, ExportError> {
    reference().departement(departement).ok_or_else(|| {
        ExportError::Donnees(format!("département inconnu « {departement} » : attendu un code comme 06, 83 ou 2A"))
    })?;
    if !crate::flux::est_departemental(reservataire) {
        return Err(ExportError::Donnees(format!(
            "{} signe sa convention sur sa commune ou son EPCI : l'annexe départementale est celle des conventions départementales (État, Action Logement, département…)",
            libelle_reservataire(reservataire)
        )));
    }
    let cube = Cube::load(d)?;
    let annee = annee.unwrap_or(d.date_reference().year);
    let bailleur = match bailleur {
        Some(b) => b.to_string(),
        None => {
            let mut noms: Vec<String> = cube
                .counts_by(&Filtre::default(), None, crate::consolidate::Dimension::Bailleur)
                .into_iter()
                .map(|(b, _)| b.to_string())
                .filter(|b| {
                    crate::flux::epcis_du_departement(d, b, departement).map(|e| !e.is_empty()).unwrap_or(false)
                })
                .collect();
            noms.sort();
            noms.dedup();
            match noms.len() {
                1 => noms.remove(0),
                0 => return Err(ExportError::Donnees(format!("aucun logement dans le département {departement}"))),
                _ => {
                    return Err(ExportError::Donnees(format!(
                        "une convention lie un bailleur et un réservataire : précisez le bailleur (dans le département : {})",
                        noms.join(", ")
                    )));
                }
            }
        }
    };
    let flux = crate::flux::flux_du_departement(d, &bailleur, departement, annee)?.ok_or_else(|| {
        ExportError::Donnees(format!("aucun logement de « {bailleur} » dans le département {departement}"))
    })?;
    let p = crate::flux::parametres_du_departement(d, &bailleur, departement, annee)?;
    let enregistre = crate::flux::departement_enregistre(d, &bailleur, departement, annee)?;
    // Without a departmental flux saved, the département's is the sum of its EPCIs' flux: saved
    // when each EPCI's was saved for the year.
    let mut epcis_sans = vec![];
    for e in flux.epcis.iter().filter_map(|x| x.epci.clone()) {
        if !d.parametres_du_flux_enregistres(&bailleur, &e, annee)? {
            epcis_sans.push(nom_epci(&e));
        }
    }
    let saisis = enregistre || epcis_sans.is_empty();
    let part = flux.part(reservataire).cloned();
    let ids = ids_de(reservataire);
    let stock_agents = if reservataire == Reservataire::ETAT {
        flux.part(&Reservataire::FONCTIONNAIRES).map(|r| r.stock).unwrap_or(0)
    } else {
        0
    };
    let stock = part.as_ref().map(|r| r.stock).unwrap_or(0) + stock_agents;
    // The grid on the département: the bailleur's EPCIs of the département.
    let mut grille = Grille::default();
    for e in flux.epcis.iter().filter_map(|x| x.epci.clone()) {
        for id in &ids {
            let f = Filtre {
                reservataire: Some(Reservataire::new(id.to_string())),
                bailleur: Some(bailleur.clone()),
                epci: Some(e.clone()),
                ..Default::default()
            };
            ajouter(&mut grille, cube.grille(&f));
        }
    }
    Ok(Annexe {
        reservataire: reservataire.into(),
        coordonnees: d.coordonnees_du_bailleur(&bailleur)?,
        decompte: crate::suivi::etape_decompte(d, &bailleur, reservataire),
        regle_delai: crate::suivi::regle_delai(d, &bailleur, reservataire),
        annee,
        date_reference: d.date_reference().to_string(),
        perimetre: PerimetreAnnexe::Departement(departement.to_string()),
        libelle_perimetre: format!("le {}", crate::format::le_departement(departement)),
        parc: flux.parc,
        exclusions: flux.exclusions.clone(),
        exclus: flux.exclus,
        assiette: flux.assiette,
        stock,
        stock_agents,
        grille,
        flux_perimetre: flux.flux,
        logements: ids.iter().map(|id| flux.logements(id)).sum(),
        part,
        flux,
        saisis: saisis || (p.saisis() && p.annee_source.is_none()),
        annee_source: if saisis { None } else { p.annee_source },
        departement_gouvernant: Some(departement.to_string()),
        departement_enregistre: enregistre,
        epcis_sans_parametres: epcis_sans,
        bailleur,
    })
}

/// A value of the annex: numbers stay numbers, rates stay rates.
#[derive(Debug, Clone)]
enum V {
    N(u64),
    P(f64),
    T(String),
    /// A date (AAAA-MM-JJ): a date cell in the workbook.
    D(String),
    /// A year: a number without a thousands separator.
    A(i32),
}

impl V {
    fn text(&self) -> String {
        match self {
            V::N(n) => entier(*n),
            V::P(x) => pourcentage(*x),
            V::T(s) => s.clone(),
            V::D(d) => date_fr(d),
            V::A(a) => a.to_string(),
        }
    }
}

/// A part of the annex: a title, lines (label, value), notes under them.
struct Section {
    titre: String,
    lignes: Vec<(String, V)>,
    notes: Vec<String>,
}

/// A table of the annex: a title, its columns (label, right-aligned, width in the PDF), its rows.
struct Tableau {
    titre: String,
    colonnes: Vec<(&'static str, bool, f32)>,
    lignes: Vec<Vec<V>>,
    note: Option<String>,
}

/// « 8,0 % », or how the libérations were estimated when not from a rate.
fn methode_des_liberations(f: &Flux, p: &FluxParametres) -> (String, V) {
    if p.rotation_pct.is_none() && !p.baux_signes.is_empty() {
        let v: Vec<String> = p.baux_signes.iter().map(|n| entier(*n)).collect();
        return (
            format!(
                "Libérations estimées par la moyenne des baux signés des {} saisies ({}) ; taux de rotation qui en résulte",
                if v.len() > 1 { format!("{} années", v.len()) } else { "années".into() },
                v.join(" ; ")
            ),
            V::P(f.taux_rotation),
        );
    }
    if p.rotation_pct.is_none() && (!p.departs.is_empty() || !p.entrees.is_empty()) {
        let quoi = match p.methode_rotation.unwrap_or(MethodeRotation::Departs) {
            MethodeRotation::Entrees => "des entrées",
            MethodeRotation::Moyenne => "des départs et des entrées",
            MethodeRotation::Departs => "des départs",
        };
        return (
            format!("Taux de rotation (moyenne {quoi} des années saisies, rapportée à l'assiette)"),
            V::P(f.taux_rotation),
        );
    }
    if p.rotation_pct.is_none() && f.epcis.is_empty() {
        return ("Taux de rotation".into(), V::T("non renseigné : aucune libération comptée".into()));
    }
    if f.epcis.is_empty() {
        ("Taux de rotation".into(), V::P(f.taux_rotation))
    } else {
        ("Taux de rotation moyen (libérations / assiette ; détail par EPCI ci-dessous)".into(), V::P(f.taux_rotation))
    }
}

/// How the mutations were counted.
fn methode_des_mutations(p: &FluxParametres) -> Option<String> {
    if p.mutations.is_some() {
        None
    } else if let Some(x) = p.mutations_pct {
        Some(format!("{} des libérations", pourcentage(x / 100.0)))
    } else if p.mutations_cus.is_some() {
        Some("objectif de la CUS".into())
    } else if !p.mutations_3_ans.is_empty() {
        Some(format!("moyenne des {} années saisies", p.mutations_3_ans.len()))
    } else {
        Some("10 % des libérations, par défaut (ni objectif CUS ni années passées saisis)".into())
    }
}

fn sections(a: &Annexe) -> Vec<Section> {
    let f = &a.flux;
    let p = &f.parametres;
    let mut out = vec![];
    // The derivation of the flux.
    let territoire = match (&a.perimetre, &a.departement_gouvernant) {
        (PerimetreAnnexe::Departement(_), _) => a.libelle_perimetre.clone(),
        (PerimetreAnnexe::Commune { epci, .. } | PerimetreAnnexe::Epci(epci), _) => {
            format!("l'EPCI {}", nom_epci(epci))
        }
    };
    let commune = matches!(a.perimetre, PerimetreAnnexe::Commune { .. });
    let perimetre = match &a.perimetre {
        PerimetreAnnexe::Commune { insee, .. } => format!("{} ({insee})", commune_de(&nom_commune(insee))),
        PerimetreAnnexe::Epci(e) => nom_epci(e),
        PerimetreAnnexe::Departement(d) => crate::format::le_departement(d),
    };
    let mut l: Vec<(String, V)> = vec![
        ("Réservataire".into(), V::T(libelle_reservataire(&a.reservataire))),
        ("Bailleur".into(), V::T(a.bailleur.clone())),
        ("Périmètre".into(), V::T(perimetre)),
        ("Date de référence de l'état des lieux".into(), V::D(a.date_reference.clone())),
        ("Année du flux".into(), V::A(a.annee)),
    ];
    l.push(("Parc locatif social".into(), V::N(a.parc)));
    // The motifs in the order of the fiche, those typed by hand after.
    let mut motifs: Vec<(&String, &u64)> = a.exclusions.iter().collect();
    motifs.sort_by_key(|(m, _)| crate::flux::MOTIFS_D_EXCLUSION.iter().position(|x| x == m).unwrap_or(99));
    for (m, n) in motifs {
        l.push((format!("  dont exclus : {}", libelle_exclusion(m)), V::N(*n)));
    }
    l.push(("Logements exclus de l'assiette".into(), V::N(a.exclus)));
    l.push(("Logements concernés par la gestion en flux (assiette)".into(), V::N(a.assiette)));
    if commune {
        l.push((format!("Assiette du bailleur sur {territoire}"), V::N(f.assiette)));
    }
    let (m, v) = methode_des_liberations(f, p);
    l.push((m, v));
    l.push((format!("Libérations prévisionnelles {} sur {territoire}", a.annee), V::N(f.liberations)));
    // How the mutations were counted: the EPCI's method, or the one all the EPCIs of a
    // departmental flux share.
    let methode_mutations = if f.epcis.is_empty() || p.mutations.is_some() || p.mutations_pct.is_some() {
        methode_des_mutations(p)
    } else {
        let v: Vec<Option<String>> = f.epcis.iter().map(|e| methode_des_mutations(&e.parametres)).collect();
        v.first().cloned().flatten().filter(|m| v.iter().all(|x| x.as_deref() == Some(m.as_str())))
    };
    for c in Soustrait::ALL {
        let n = f.soustraits.get(c.as_str()).copied().unwrap_or(0);
        let mut label = format!("  soustrait : {}", c.label());
        if c == Soustrait::Mutations
            && let Some(m) = &methode_mutations
        {
            label = format!("{label} ({m})");
        }
        if c.accord_prefet() && !label.contains("préfet") {
            label = format!("{label} — accord du préfet");
        }
        l.push((label, V::N(n)));
    }
    l.push(("Total des soustraits".into(), V::N(f.soustraits.values().sum())));
    l.push((format!("Flux annuel {} à répartir sur {territoire}", a.annee), V::N(f.flux)));
    if commune {
        l.push((
            format!(
                "Flux annuel {} dans la commune (part du flux au prorata de son assiette : {} / {})",
                a.annee,
                entier(a.assiette),
                entier(f.assiette)
            ),
            V::N(a.flux_perimetre),
        ));
    }
    let mut notes = vec![];
    for c in Soustrait::ALL {
        let j = p.justification(c);
        if !j.is_empty() {
            notes.push(format!("Justification — {} : {j}.", c.court()));
        }
        // A departmental flux: each EPCI's justification, named.
        for e in &f.epcis {
            let je = e.parametres.justification(c);
            if !je.is_empty() && je != j {
                let nom = e.epci.as_deref().map(nom_epci).unwrap_or_default();
                notes.push(format!("Justification — {} ({nom}) : {je}.", c.court()));
            }
        }
    }
    if matches!(a.perimetre, PerimetreAnnexe::Departement(_)) && !a.departement_enregistre {
        notes.push(format!(
            "Flux départemental {} : somme des flux enregistrés pour chaque EPCI du département (aucun flux n'est enregistré pour le département lui-même) ; les parts des réservataires départementaux sont calculées sur cette somme, puis ventilées sur les EPCI et les communes.",
            a.annee
        ));
    }
    if let Some(dep) = &a.departement_gouvernant
        && !matches!(a.perimetre, PerimetreAnnexe::Departement(_))
    {
        notes.push(format!(
            "Le flux {} du bailleur est arrêté pour le département ({dep}) : les parts des réservataires départementaux sont celles de la convention départementale, ventilées sur les EPCI et les communes.",
            a.annee
        ));
    }
    out.push(Section { titre: format!("Le flux annuel {}", a.annee), lignes: l, notes });

    // The réservataire's part.
    let mut l: Vec<(String, V)> = vec![
        ("Logements réservés par le réservataire dans l'assiette".into(), V::N(a.stock)),
        (
            "Part du réservataire dans l'assiette".into(),
            V::P(if a.assiette > 0 { a.stock as f64 / a.assiette as f64 } else { 0.0 }),
        ),
    ];
    let mut notes = vec![];
    match &a.part {
        Some(part) => {
            // Its logements on the annex's perimeter first, then where its rate is measured.
            l.push((format!("Logements du réservataire en {} sur ce périmètre", a.annee), V::N(a.logements)));
            if a.reservataire == Reservataire::ETAT {
                let (e, fo) = logements_par_id(a);
                l.push(("  dont publics prioritaires".into(), V::N(e)));
                l.push(("  dont agents civils et militaires".into(), V::N(fo)));
            }
            if commune && !matches!(part.perimetre, Perimetre::Commune(_)) {
                let total: u64 = ids_de(&a.reservataire).iter().map(|id| f.logements(id)).sum();
                l.push((format!("Logements réservés {} sur {territoire}", a_le(&a.reservataire)), V::N(total)));
            }
            l.push(("Périmètre du taux".into(), V::T(part.perimetre.libelle())));
            let agents = f.part(&Reservataire::FONCTIONNAIRES);
            if a.reservataire == Reservataire::ETAT {
                let fo = agents.map(|x| x.stock).unwrap_or(0);
                l.push(("Stock réservé par l'État dans l'assiette du périmètre du taux".into(), V::N(part.stock + fo)));
                l.push(("  dont pour ses agents civils et militaires".into(), V::N(fo)));
            } else {
                l.push((
                    format!("Stock réservé par {} dans l'assiette du périmètre du taux", par_le(&a.reservataire)),
                    V::N(part.stock),
                ));
            }
            l.push(("Assiette du périmètre du taux".into(), V::N(part.assiette)));
            if a.reservataire == Reservataire::ETAT {
                let fo = agents.map(|x| x.taux).unwrap_or(0.0);
                l.push((
                    "Part totale de l'État appliquée (publics prioritaires et agents)".into(),
                    V::P(part.taux + fo),
                ));
                l.push(("  dont publics prioritaires (contingent préfectoral)".into(), V::P(part.taux)));
                l.push(("  dont agents civils et militaires de l'État".into(), V::P(fo)));
            } else {
                // The rate as applied: capped where the law caps it (the origin says so).
                l.push(("Taux de la convention".into(), V::P(part.taux)));
            }
            notes.push(format!("Origine du taux : {}.", a.origine_du_taux()));
            // The agents' rate and where it comes from, always (the State's request, the default,
            // or capped).
            if a.reservataire == Reservataire::ETAT
                && let Some(fo) = agents
            {
                notes.push(format!("Part des agents : {}.", origine(fo, f)));
            }
            if let Some(t) = part.taux_reduit {
                l.push(("Taux après réduction au prorata (parts au-delà de 100 % du flux)".into(), V::P(t)));
            }
        }
        None => l.push(("Part dans le flux".into(), V::T("aucune (ni stock ni taux fixé)".into()))),
    }
    out.push(Section { titre: format!("La part {}", de_le(&a.reservataire)), lignes: l, notes });
    // The alerts in words.
    let alertes = a.alertes();
    out.push(Section {
        titre: "Points d'attention".into(),
        lignes: vec![],
        notes: if alertes.is_empty() {
            vec!["Aucune alerte.".into()]
        } else {
            alertes.into_iter().map(|x| format!("• {}.", majuscule(&x))).collect()
        },
    });
    out
}

/// « part de l'État… » → « Part de l'État… ».
fn majuscule(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The State's logements on the annex's perimeter: publics prioritaires, agents.
fn logements_par_id(a: &Annexe) -> (u64, u64) {
    let f = &a.flux;
    match &a.perimetre {
        PerimetreAnnexe::Commune { insee, .. } => {
            let c = f.communes.iter().find(|c| c.commune == *insee);
            let n = |id: &str| {
                c.map(|c| c.reservataires.iter().filter(|r| r.id == id).map(|r| r.logements).sum()).unwrap_or(0)
            };
            (n(&Reservataire::ETAT), n(&Reservataire::FONCTIONNAIRES))
        }
        _ => (f.logements(&Reservataire::ETAT), f.logements(&Reservataire::FONCTIONNAIRES)),
    }
}

/// The names of the exclusion motifs, as the fiche and the annex print them.
pub fn libelle_exclusion(m: &str) -> String {
    match m {
        crate::flux::MOTIF_PLI => "PLI et logements intermédiaires (hors logement social)".into(),
        crate::flux::MOTIF_VENTE => "logements en vente (L.443-7) ou à démolir".into(),
        other => other.to_string(),
    }
}

fn tableaux(a: &Annexe) -> Vec<Tableau> {
    let f = &a.flux;
    let mut out = vec![];
    let id = a.reservataire.as_str();
    let ids = ids_de(id);
    let de = |x: &Flux| -> u64 { ids.iter().map(|i| x.logements(i)).sum() };
    // The breakdown by EPCI (a departmental annex) and by commune.
    if let PerimetreAnnexe::Departement(_) = a.perimetre {
        out.push(Tableau {
            titre: format!("Répartition par EPCI : flux du bailleur et logements {}", de_le(id)),
            colonnes: vec![
                ("EPCI", false, 150.0),
                ("Assiette", true, 55.0),
                ("Rotation", true, 50.0),
                ("Libérations", true, 62.0),
                ("Soustraits", true, 60.0),
                ("Flux", true, 48.0),
                ("Logements", true, 70.0),
            ],
            lignes: f
                .epcis
                .iter()
                .map(|e| {
                    vec![
                        V::T(nom_epci(e.epci.as_deref().unwrap_or_default())),
                        V::N(e.assiette),
                        V::P(e.taux_rotation),
                        V::N(e.liberations),
                        V::N(e.soustraits.values().sum()),
                        V::N(e.flux),
                        V::N(de(e)),
                    ]
                })
                .chain(std::iter::once(vec![
                    V::T("Total du département".into()),
                    V::N(f.assiette),
                    V::P(f.taux_rotation),
                    V::N(f.liberations),
                    V::N(f.soustraits.values().sum()),
                    V::N(f.flux),
                    V::N(de(f)),
                ]))
                .collect(),
            note: (id == Reservataire::ETAT)
                .then(|| "Logements de l'État : publics prioritaires et agents civils et militaires.".to_string()),
        });
    }
    // By commune for every annex on an EPCI or a département (the State's, Action Logement's,
    // the EPCI's own…); a commune's annex is its own single commune.
    if est_etat(id) || !matches!(a.perimetre, PerimetreAnnexe::Commune { .. }) {
        let n = |c: &crate::flux::FluxCommune, id: &str| -> u64 {
            c.reservataires.iter().filter(|r| r.id == id).map(|r| r.logements).sum()
        };
        let etat = id == Reservataire::ETAT;
        // (a commune's row, or an EPCI's subtotal): flux, the logements by id.
        let ligne = |nom: String, flux: u64, v: &[u64]| -> Vec<V> {
            let total: u64 = v.iter().sum();
            let mut r = vec![V::T(nom), V::N(flux)];
            if etat {
                r.extend([V::N(v[0]), V::N(v[1])]);
            }
            r.extend([V::N(total), V::P(if flux > 0 { total as f64 / flux as f64 } else { 0.0 })]);
            r
        };
        // The communes by EPCI, each EPCI with its subtotal (a departmental annex).
        let groupes: Vec<(Option<String>, Vec<&crate::flux::FluxCommune>)> = match &a.perimetre {
            PerimetreAnnexe::Commune { insee, .. } => {
                vec![(None, f.communes.iter().filter(|c| c.commune == *insee).collect())]
            }
            PerimetreAnnexe::Epci(_) => vec![(None, f.communes.iter().collect())],
            PerimetreAnnexe::Departement(_) => {
                f.epcis.iter().map(|e| (e.epci.clone(), e.communes.iter().collect())).collect()
            }
        };
        let mut lignes: Vec<Vec<V>> = vec![];
        let mut total = (0u64, vec![0u64; ids.len()]);
        for (epci, communes) in &groupes {
            let mut sous = (0u64, vec![0u64; ids.len()]);
            for c in communes {
                let v: Vec<u64> = ids.iter().map(|i| n(c, i)).collect();
                lignes.push(ligne(format!("{} ({})", nom_commune(&c.commune), c.commune), c.flux, &v));
                sous.0 += c.flux;
                for (x, y) in sous.1.iter_mut().zip(&v) {
                    *x += y;
                }
            }
            // An EPCI's subtotal when there are several (else it would repeat the total).
            if let Some(e) = epci.as_ref().filter(|_| groupes.len() > 1) {
                lignes.push(ligne(format!("  Total {}", nom_epci(e)), sous.0, &sous.1));
            }
            total.0 += sous.0;
            for (x, y) in total.1.iter_mut().zip(&sous.1) {
                *x += y;
            }
        }
        if lignes.len() > 1 {
            lignes.push(ligne("Total".into(), total.0, &total.1));
        }
        let colonnes = if etat {
            vec![
                ("Commune", false, 165.0),
                ("Flux de la commune", true, 65.0),
                ("Publics prioritaires", true, 70.0),
                ("Agents de l'État", true, 65.0),
                ("État, total", true, 60.0),
                ("Part du flux", true, 70.0),
            ]
        } else {
            vec![
                ("Commune", false, 215.0),
                ("Flux de la commune", true, 90.0),
                ("Logements", true, 90.0),
                ("Part du flux", true, 100.0),
            ]
        };
        out.push(Tableau {
            titre: format!("Logements {} par commune", de_le(id)),
            colonnes,
            lignes,
            note: est_etat(id).then(|| {
                "La part de l'État s'applique uniformément dans chaque commune (à un logement près).".to_string()
            }),
        });
    }
    // The State outside QPV against its floor.
    if est_etat(id) {
        let h = &f.etat_hors_qpv;
        let statut = if h.logements >= h.plancher {
            "plancher respecté"
        } else {
            "plancher non atteint : à arbitrer avec la DDETS"
        };
        out.push(Tableau {
            titre: "Logements de l'État hors QPV (plancher de 30 %)".into(),
            colonnes: vec![("Rubrique", false, 330.0), ("Valeur", true, 165.0)],
            lignes: vec![
                vec![
                    V::T("Flux hors QPV (flux réparti selon la part de l'assiette hors QPV)".into()),
                    V::N(h.flux_hors_qpv),
                ],
                vec![V::T("Plancher : 30 % du flux hors QPV, arrondi à l'entier inférieur".into()), V::N(h.plancher)],
                vec![V::T("Logements de l'État hors QPV (flux qualifié, indicatif)".into()), V::N(h.logements)],
                vec![V::T("Constat".into()), V::T(statut.into())],
            ],
            note: (h.departemental && !matches!(a.perimetre, PerimetreAnnexe::Departement(_))).then(|| {
                "Le plancher s'apprécie sur le flux départemental : voir l'annexe départementale.".to_string()
            }),
        });
    }
    // The stock grid.
    let mut lignes: Vec<Vec<V>> = vec![];
    for fin in a.grille.rows() {
        let mut r = vec![V::T(fin.as_str().to_string())];
        r.extend(TypologieGrille::ALL.iter().map(|t| V::N(a.grille.get(fin, *t))));
        r.push(V::N(a.grille.row_total(fin)));
        lignes.push(r);
    }
    let mut r = vec![V::T("TOTAL".into())];
    r.extend(TypologieGrille::ALL.iter().map(|t| V::N(a.grille.column_total(*t))));
    r.push(V::N(a.grille.total()));
    lignes.push(r);
    let mut colonnes: Vec<(&'static str, bool, f32)> = vec![("Financement", false, 75.0)];
    colonnes.extend(TypologieGrille::ALL.iter().map(|t| (t.as_str(), true, 55.0)));
    colonnes.push(("TOTAL", true, 90.0));
    out.push(Tableau {
        titre: format!(
            "Stock réservé par {} (état des lieux au {}), par financement et typologie",
            par_le(id),
            date_fr(&a.date_reference)
        ),
        colonnes,
        lignes,
        note: (a.grille.total() != a.stock).then(|| {
            format!(
                "Tout le stock réservé de l'état des lieux, logements exclus de l'assiette compris (PLI, logements-foyers…) : {}, dont {} dans l'assiette.",
                entier(a.grille.total()),
                entier(a.stock)
            )
        }),
    });
    // The flux qualifié (the State's: its publics prioritaires and its agents).
    let mut cellules: BTreeMap<(crate::model::Financement, TypologieGrille, bool), Vec<u64>> = BTreeMap::new();
    for (k, i) in ids.iter().enumerate() {
        for c in f.flux_qualifie.get(i.as_str()).into_iter().flatten() {
            cellules.entry((c.financement, c.typologie, c.qpv)).or_insert_with(|| vec![0; ids.len()])[k] += c.logements;
        }
    }
    if !cellules.is_empty() && a.saisis {
        let etat = ids.len() > 1;
        let mut total = vec![0u64; ids.len()];
        let mut lignes: Vec<Vec<V>> = cellules
            .iter()
            .map(|(&(fin, typ, qpv), v)| {
                let mut r = vec![
                    V::T(fin.to_string()),
                    V::T(typ.to_string()),
                    V::T(if qpv { "QPV".into() } else { "hors QPV".into() }),
                ];
                if etat {
                    r.extend(v.iter().map(|n| V::N(*n)));
                }
                r.push(V::N(v.iter().sum()));
                for (t, n) in total.iter_mut().zip(v) {
                    *t += n;
                }
                r
            })
            .collect();
        let mut t = vec![V::T("Total".into()), V::T(String::new()), V::T(String::new())];
        if etat {
            t.extend(total.iter().map(|n| V::N(*n)));
        }
        t.push(V::N(total.iter().sum()));
        lignes.push(t);
        // A commune's own réservataire has its flux in its commune only; the others' flux
        // qualifié is that of the EPCI (the engine does not qualify it commune by commune).
        let sa_commune = matches!(
            (&a.perimetre, a.part.as_ref().map(|p| &p.perimetre)),
            (PerimetreAnnexe::Commune { insee, .. }, Some(Perimetre::Commune(c))) if c == insee
        );
        let sur = match &a.perimetre {
            PerimetreAnnexe::Departement(_) => "sur le département".to_string(),
            PerimetreAnnexe::Commune { insee, .. } if sa_commune => {
                format!("dans la {}", commune_de(&nom_commune(insee)))
            }
            PerimetreAnnexe::Commune { epci, .. } => {
                format!("sur l'EPCI {} (toutes ses communes)", nom_epci(epci))
            }
            PerimetreAnnexe::Epci(epci) => format!("sur l'EPCI {}", nom_epci(epci)),
        };
        out.push(Tableau {
            titre: format!("Flux qualifié {} {sur} — indicatif (financement × typologie × QPV)", a.annee),
            colonnes: if etat {
                vec![
                    ("Financement", false, 95.0),
                    ("Typologie", false, 80.0),
                    ("QPV", false, 80.0),
                    ("Publics prioritaires", true, 80.0),
                    ("Agents de l'État", true, 80.0),
                    ("Logements", true, 80.0),
                ]
            } else {
                vec![
                    ("Financement", false, 120.0),
                    ("Typologie", false, 100.0),
                    ("QPV", false, 120.0),
                    ("Logements", true, 155.0),
                ]
            },
            lignes,
            note: Some(if est_etat(id) {
                "Indicatif : une attente, pas un engagement. Le flux de l'État suit la composition de toute l'assiette."
                    .into()
            } else {
                "Indicatif : une attente, pas un engagement. Il suit la composition du stock du réservataire.".into()
            }),
        });
    }
    out
}

/// The counting and the reply deadline of the convention.
fn modalites(a: &Annexe) -> Vec<String> {
    use crate::suivi::calendrier::RegleDelai;
    let delai = match a.regle_delai {
        RegleDelai::Preavis => {
            "15 jours ouvrés pour un préavis d'un mois, un mois pour un préavis de trois mois".to_string()
        }
        RegleDelai::UnMois => "un mois à compter de la mise à disposition, quel que soit le préavis".to_string(),
        RegleDelai::JoursOuvres(n) => format!("{n} jours ouvrés à compter de la mise à disposition"),
    };
    vec![
        format!(
            "Décompte : un logement est décompté {}, chaque libération une seule fois, réorientations comprises.",
            a.decompte.label()
        ),
        format!("Délai de réponse du réservataire : {delai} (jours fériés du département du logement)."),
    ]
}

fn titre(a: &Annexe) -> String {
    match a.perimetre {
        PerimetreAnnexe::Departement(_) => {
            format!("Annexe départementale à la convention de réservation — {}", libelle_reservataire(&a.reservataire))
        }
        _ => format!("Annexe à la convention de réservation — {}", libelle_reservataire(&a.reservataire)),
    }
}

fn entete(a: &Annexe) -> Entete {
    let territoire = match &a.perimetre {
        PerimetreAnnexe::Commune { insee, epci } => format!("{} ({insee}), {}", nom_commune(insee), nom_epci(epci)),
        PerimetreAnnexe::Epci(e) => nom_epci(e),
        PerimetreAnnexe::Departement(d) => crate::format::le_departement(d),
    };
    let code = match &a.perimetre {
        PerimetreAnnexe::Commune { insee, .. } => insee.clone(),
        PerimetreAnnexe::Epci(e) => e.clone(),
        PerimetreAnnexe::Departement(d) => format!("dep{d}"),
    };
    Entete {
        document: titre(a),
        mentions: vec![
            format!("Bailleur : {}", a.bailleur),
            format!("Réservataire : {}", libelle_reservataire(&a.reservataire)),
            format!("Territoire : {territoire}"),
            format!("Flux {}", a.annee),
        ],
        edition: date_d_edition(),
        reference: format!(
            "ANNEXE-{}-{}-{}-{}",
            crate::text::slug(&libelle_reservataire(&a.reservataire)),
            crate::text::slug(&a.bailleur),
            code,
            a.annee
        )
        .to_uppercase(),
    }
}

fn parties(a: &Annexe) -> Vec<String> {
    vec![format!("Pour le bailleur {}, son représentant légal", a.bailleur), signataire(&a.reservataire)]
}

/// Who signs for a réservataire, with the title the convention gives: the DDETS director by
/// delegation of the préfet, Action Logement Services, the maire, the président…
pub fn signataire(reservataire: &str) -> String {
    match Portee::de(reservataire) {
        Portee::Etat | Portee::Fonctionnaires => {
            "Pour le préfet et par délégation, le directeur départemental de l'emploi, du travail et des solidarités"
                .to_string()
        }
        Portee::ActionLogement => "Pour Action Logement Services".to_string(),
        Portee::Commune => format!("Pour {}, le maire", par_le(reservataire)),
        Portee::Epci => format!("Pour {}, le président", par_le(reservataire)),
        Portee::Departement => format!("Pour {}, le président du conseil départemental", par_le(reservataire)),
        Portee::Region => format!("Pour {}, le président du conseil régional", par_le(reservataire)),
        _ => format!("Pour {}", par_le(reservataire)),
    }
}

/// The annex as a PDF to sign.
pub fn pdf(a: &Annexe, out: &Path) -> Result<(), ExportError> {
    let mut p = Pdf::document(false, entete(a));
    p.paraphes = true;
    p.titre(14.0, &titre(a));
    let c = &a.coordonnees;
    if !c.adresse.trim().is_empty() {
        p.texte(9.0, &format!("Bailleur : {} — {}", a.bailleur, c.adresse.trim()));
    }
    p.texte(10.5, &format!("{}.", a.phrase()));
    p.espace(4.0);
    for s in sections(a) {
        p.titre(11.5, &s.titre);
        if !s.lignes.is_empty() {
            let rows: Vec<Vec<String>> = std::iter::once(vec!["Rubrique".to_string(), "Valeur".to_string()])
                .chain(s.lignes.iter().map(|(k, v)| vec![k.clone(), v.text()]))
                .collect();
            p.tableau(&[380.0, 115.0], &[false, true], &rows, 9.0);
        }
        for n in &s.notes {
            p.texte(9.0, n);
        }
        p.espace(4.0);
    }
    // The modalités and the signatures, kept with the last rows of the last table (never a
    // page with the signatures alone).
    let modalites = modalites(a);
    let h_fin = 11.5 * 1.85
        + modalites.iter().map(|m| p.hauteur_texte(9.0, m)).sum::<f32>()
        + p.hauteur_signatures(&parties(a));
    let tableaux = tableaux(a);
    let n_tableaux = tableaux.len();
    for (i, t) in tableaux.into_iter().enumerate() {
        p.titre(11.5, &t.titre);
        if i + 1 == n_tableaux {
            p.garder_pour_la_suite = h_fin + 4.0 + t.note.as_ref().map(|n| p.hauteur_texte(8.5, n)).unwrap_or(0.0);
        }
        let widths: Vec<f32> = t.colonnes.iter().map(|c| c.2).collect();
        let right: Vec<bool> = t.colonnes.iter().map(|c| c.1).collect();
        let rows: Vec<Vec<String>> = std::iter::once(t.colonnes.iter().map(|c| c.0.to_string()).collect())
            .chain(t.lignes.iter().map(|r| r.iter().map(V::text).collect()))
            .collect();
        p.tableau(&widths, &right, &rows, 9.0);
        if let Some(n) = &t.note {
            p.texte(8.5, n);
        }
        p.espace(4.0);
    }
    // The modalités stay with the signatures: never a signature block alone on a page.
    p.assurer(h_fin);
    p.titre(11.5, "Modalités");
    for m in modalites {
        p.texte(9.0, &m);
    }
    p.signatures(None, &parties(a));
    p.save(out)
}

/// The annex as a workbook: numbers as numeric cells, rates as percentages, dates as dates;
/// printed on A4 to the width of the page, with its header, its footer (reference, « page n /
/// N », initials) and the boxes the parties sign in.
pub fn xlsx(a: &Annexe, out: &Path) -> Result<(), ExportError> {
    use super::classeur;
    let e = super::erreur_xlsx(out);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Annexe").map_err(e)?;
    let bold = Format::new().set_bold().set_font_size(13);
    let sous = Format::new().set_bold().set_font_size(11);
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let num = Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0");
    let pct = Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%");
    let date = Format::new().set_border(FormatBorder::Thin).set_num_format("dd/mm/yyyy").set_align(FormatAlign::Right);
    let annee = Format::new().set_border(FormatBorder::Thin).set_num_format("0");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    // Column widths in characters: the labels, then the values.
    const LARGEUR_0: f64 = 62.0;
    const LARGEUR: f64 = 13.0;
    let en = entete(a);
    ws.write_string_with_format(0, 0, titre(a), &bold).map_err(e)?;
    ws.merge_range(1, 0, 1, 4, &format!("{}.", a.phrase()), &wrap).map_err(e)?;
    classeur::ajuster(ws, 1, &[(&format!("{}.", a.phrase()), LARGEUR_0 + 4.0 * LARGEUR)]).map_err(e)?;
    ws.write_string(2, 0, en.mentions.join(" · ")).map_err(e)?;
    ws.write_string(3, 0, format!("Édité le {} — réf. {}", en.edition, en.reference)).map_err(e)?;
    let mut r: u32 = 5;
    let valeur = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, v: &V| match v {
        V::N(n) => ws.write_number_with_format(r, c, *n as f64, &num).map(|_| ()),
        V::P(x) => ws.write_number_with_format(r, c, *x, &pct).map(|_| ()),
        V::T(s) => ws.write_string_with_format(r, c, s, &cell).map(|_| ()),
        V::A(x) => ws.write_number_with_format(r, c, *x as f64, &annee).map(|_| ()),
        V::D(d) => match crate::model::Date::parse_iso(d)
            .and_then(|d| rust_xlsxwriter::ExcelDateTime::from_ymd(d.year as u16, d.month, d.day).ok())
        {
            Some(x) => ws.write_datetime_with_format(r, c, &x, &date).map(|_| ()),
            None => ws.write_string_with_format(r, c, date_fr(d), &cell).map(|_| ()),
        },
    };
    // A note over the width of the table, as tall as its text.
    let note = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, n: &str| -> Result<(), rust_xlsxwriter::XlsxError> {
        ws.merge_range(r, 0, r, 4, n, &wrap)?;
        classeur::ajuster(ws, r, &[(n, LARGEUR_0 + 4.0 * LARGEUR)])
    };
    for s in sections(a) {
        ws.write_string_with_format(r, 0, &s.titre, &sous).map_err(e)?;
        r += 1;
        for (k, v) in &s.lignes {
            ws.write_string_with_format(r, 0, k, &cell).map_err(e)?;
            valeur(ws, r, 1, v).map_err(e)?;
            let t = if let V::T(t) = v { t.as_str() } else { "" };
            classeur::ajuster(ws, r, &[(k, LARGEUR_0), (t, LARGEUR)]).map_err(e)?;
            r += 1;
        }
        for n in &s.notes {
            note(ws, r, n).map_err(e)?;
            r += 1;
        }
        r += 1;
    }
    for t in tableaux(a) {
        ws.write_string_with_format(r, 0, &t.titre, &sous).map_err(e)?;
        r += 1;
        for (j, c) in t.colonnes.iter().enumerate() {
            ws.write_string_with_format(r, j as u16, c.0, &head).map_err(e)?;
        }
        let largeurs: Vec<(&str, f64)> =
            t.colonnes.iter().enumerate().map(|(j, c)| (c.0, if j == 0 { LARGEUR_0 } else { LARGEUR })).collect();
        classeur::ajuster(ws, r, &largeurs).map_err(e)?;
        r += 1;
        for l in &t.lignes {
            for (j, v) in l.iter().enumerate() {
                valeur(ws, r, j as u16, v).map_err(e)?;
            }
            r += 1;
        }
        if let Some(n) = &t.note {
            note(ws, r, n).map_err(e)?;
            r += 1;
        }
        r += 1;
    }
    ws.write_string_with_format(r, 0, "Modalités", &sous).map_err(e)?;
    r += 1;
    for m in modalites(a) {
        note(ws, r, &m).map_err(e)?;
        r += 1;
    }
    r += 1;
    classeur::signatures(ws, r, &parties(a), &[(0, 0), (1, 4)], true).map_err(e)?;
    ws.set_column_width(0, LARGEUR_0).map_err(e)?;
    for j in 1..8 {
        ws.set_column_width(j, LARGEUR).map_err(e)?;
    }
    classeur::mise_en_page(ws, true, &titre(a), &en.edition, &en.reference, true).map_err(e)?;
    save_workbook(&mut wb, out)
}

fn ecrire(a: &Annexe, out: &Path) -> Result<(), ExportError> {
    let ext = super::extension(out);
    match ext.as_str() {
        "pdf" => pdf(a, out),
        "xlsx" => xlsx(a, out),
        _ => Err(super::extension_refusee(out, &ext, &["xlsx", "pdf"])),
    }
}

/// The annex of a convention on a commune or an EPCI, as xlsx or PDF (by the extension).
pub fn export(
    d: &Dossier,
    reservataire: &str,
    commune: Option<&str>,
    epci: Option<&str>,
    bailleur: Option<&str>,
    annee: Option<i32>,
    out: &Path,
) -> Result<(), ExportError> {
    ecrire(&calculer_annexe(d, reservataire, commune, epci, bailleur, annee)?, out)
}

/// The departmental annex of a departmental convention, as xlsx or PDF.
pub fn export_departement(
    d: &Dossier,
    reservataire: &str,
    departement: &str,
    bailleur: Option<&str>,
    annee: Option<i32>,
    out: &Path,
) -> Result<(), ExportError> {
    ecrire(&calculer_annexe_departementale(d, reservataire, departement, bailleur, annee)?, out)
}
