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

mod contenu;
mod departement;
mod donnees;
mod pdf;
mod xlsx;

pub use contenu::libelle_exclusion;
pub use departement::calculer_annexe_departementale;
pub use donnees::calculer_annexe;
pub use pdf::pdf;
pub use xlsx::xlsx;

use super::ExportError;
use crate::consolidate::{Grille, libelle_reservataire, nom_commune, nom_epci};
use crate::flux::{Flux, OrigineTaux, PartReservataire, Perimetre};
use crate::format::{commune_de, entier, pourcentage};
use crate::model::{Portee, Reservataire};
use crate::store::Dossier;
use contenu::logements_par_id;
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
    pub reservataire: Reservataire,
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
    /// own, its agents' apart in `stock_agents`).
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
    /// A departmental annex of a dossier that is not the whole département: what its totals
    /// cover (the EPCIs of the dossier) and the dwellings set aside as outside the territory.
    pub couverture: Option<String>,
    pub decompte: crate::suivi::Etape,
    pub regle_delai: crate::suivi::calendrier::RegleDelai,
}

/// The refusal of an annex whose flux was never saved for the year (nor carried over from a
/// year before): it would count 0 logement and look like a document to sign. Says which
/// bailleur, territory and year, and how to save the flux (window and command line).
pub(super) fn refus_flux_non_enregistre(bailleur: &str, annee: i32, lieu: &str, option: &str, fenetre: &str) -> String {
    format!(
        "Aucun flux {annee} enregistré pour « {bailleur} » sur {lieu} : l'annexe compterait 0 logement, elle n'est pas produite. \
         Enregistrez d'abord le flux {annee} de ce bailleur — dans la fenêtre : {fenetre} ; \
         en ligne de commande : contingents flux --dossier DOSSIER --bailleur \"{bailleur}\" {option} --annee {annee} --rotation PCT --enregistrer"
    )
}

/// Whether the bailleur's flux of the year can give an annex on the EPCI: refused (with what to
/// do) when no parameters were ever saved for it on this EPCI up to that year, nor for its
/// département that year. The window asks before choosing a file name.
pub fn verifier_flux_enregistre(d: &Dossier, bailleur: &str, epci: &str, annee: i32) -> Result<(), ExportError> {
    let g = crate::flux::groupes(d, bailleur, epci)?;
    if crate::flux::flux_de_l_annee(d, bailleur, epci, annee, &g)?.existe() {
        return Ok(());
    }
    let lieu = format!("l'EPCI {}", nom_epci(epci));
    Err(ExportError::Donnees(refus_flux_non_enregistre(
        bailleur,
        annee,
        &lieu,
        &format!("--epci {epci}"),
        &format!(
            "écran Flux annuel, bailleur « {bailleur} », EPCI {}, année {annee}, taux de rotation, puis « Enregistrer les paramètres »",
            nom_epci(epci)
        ),
    )))
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
pub(super) fn ids_de(reservataire: &str) -> Vec<Reservataire> {
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

pub(super) fn est_etat(id: &str) -> bool {
    matches!(Portee::de(id), Portee::Etat | Portee::Fonctionnaires)
}

impl Annexe {
    /// « 246 logements implantés, 34 exclus de l'assiette, 212 concernés par la gestion en
    /// flux ; 32 logements réservés par la commune d'Ornex, soit 15,1 % de l'assiette ».
    pub fn phrase(&self) -> String {
        let implantes = self.implantes();
        let implantes = implantes.as_str();
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
                let part = |n: u64| pourcentage(n as f64 / self.assiette as f64);
                let agents = if self.reservataire == Reservataire::ETAT && self.stock_agents > 0 {
                    format!(
                        " et {} pour ses agents civils et militaires ({})",
                        entier(self.stock_agents),
                        part(self.stock_agents)
                    )
                } else {
                    String::new()
                };
                format!(
                    " ; pour information, {} dans l'assiette ({}){agents}, sans effet sur la part de l'État",
                    nombre(self.stock, "logement réservé par l'État", "logements réservés par l'État"),
                    part(self.stock)
                )
            } else {
                String::new()
            };
            return format!(
                "{}, {} de l'assiette, {} par la gestion en flux ; {qui} : {} du flux, soit {} en {}{dont}{stock}",
                implantes,
                nombre(self.exclus, "exclu", "exclus"),
                nombre(self.assiette, "concerné", "concernés"),
                pourcentage(taux),
                crate::format::logements(self.logements),
                self.annee,
            );
        }
        let mut pct =
            if self.assiette > 0 { pourcentage(self.stock as f64 / self.assiette as f64) } else { "–".into() };
        // A rate measured on another perimeter (a commune's, on the annex of its EPCI): its share
        // there too, with its base — never a share of the annex's assiette read as its rate
        // (« 6,5 % » for Antibes, whose convention says 15,5 % of its commune's assiette).
        if let Some(p) = &self.part
            && !self.meme_perimetre(&p.perimetre)
            && p.assiette > 0
            && self.assiette > 0
        {
            let de = match p.perimetre {
                Perimetre::Departement(_) => format!("du {}", p.perimetre.libelle()),
                // A commune, or an EPCI (communauté, métropole): feminine.
                _ => format!("de la {}", p.perimetre.libelle()),
            };
            pct = format!(
                "{pct} de l'assiette et {} de celle {de} ({}), où se mesure son taux",
                pourcentage(p.stock as f64 / p.assiette as f64),
                nombre(p.assiette, "logement", "logements"),
            );
        }
        let agents = if self.reservataire == Reservataire::ETAT && self.stock_agents > 0 {
            format!(" (et {} pour ses agents civils et militaires)", entier(self.stock_agents))
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
            implantes,
            nombre(self.exclus, "exclu", "exclus"),
            nombre(self.assiette, "concerné", "concernés"),
            nombre(self.stock, "logement réservé", "logements réservés"),
        )
    }

    /// « 867 logements implantés », « … implantés sur les EPCI du dossier (CA de Sophia
    /// Antipolis) » for a departmental annex of a dossier that is not the whole département.
    fn implantes(&self) -> String {
        let n = nombre(self.parc, "logement implanté", "logements implantés");
        if self.couverture.is_none() {
            return n;
        }
        let noms = self.epcis_du_dossier();
        format!("{n} sur {} du dossier ({})", if noms.len() > 1 { "les EPCI" } else { "l'EPCI" }, noms.join(", "))
    }

    /// Whether the réservataire's rate is measured on the annex's own perimeter (else its stock
    /// and assiette there are shown apart).
    pub(super) fn meme_perimetre(&self, p: &Perimetre) -> bool {
        match (&self.perimetre, p) {
            (PerimetreAnnexe::Commune { insee, .. }, Perimetre::Commune(c)) => insee == c,
            (PerimetreAnnexe::Epci(e), Perimetre::Epci(x)) => e == x,
            (PerimetreAnnexe::Departement(d), Perimetre::Departement(x)) => d == x,
            _ => false,
        }
    }

    /// The names of the EPCIs a departmental annex adds (those of the dossier).
    pub(super) fn epcis_du_dossier(&self) -> Vec<String> {
        self.flux.epcis.iter().filter_map(|e| e.epci.as_deref()).map(nom_epci).collect()
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
            // The parameters carried over are said once, first (below).
            .filter(|a| {
                self.saisis
                    || a.regle != crate::model::Regle::ParametreAConfirmer
                    || !a.detail.starts_with("paramètres repris")
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

    /// Why the annex is only a draft (« PROJET » on every page), `None` when its parameters were
    /// saved for the year: carried over from a year before, or missing for some EPCI of a
    /// departmental flux.
    pub fn projet(&self) -> Option<String> {
        if self.saisis {
            return None;
        }
        let quoi = match self.annee_source {
            Some(y) => format!("paramètres du flux {} non enregistrés, ceux de {y} sont repris", self.annee),
            None if !self.epcis_sans_parametres.is_empty() => format!(
                "paramètres du flux {} non enregistrés pour {}",
                self.annee,
                self.epcis_sans_parametres.join(", ")
            ),
            None => format!("paramètres du flux {} non enregistrés", self.annee),
        };
        Some(format!(
            "document non définitif, à ne pas signer : {quoi} ; confirmez-les et enregistrez-les (écran Flux annuel, ou contingents flux … --enregistrer), puis éditez de nouveau l'annexe"
        ))
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
pub(super) fn origine(p: &PartReservataire, f: &Flux) -> String {
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
