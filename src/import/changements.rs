//! Explicit changes of what a dossier covers, each said before it is done: its territory (the
//! dwellings that leave it, the rows set aside that it takes in), and the century of the
//! two-digit years of a file column (the rows it brings back).

use super::run::{ImportError, reapply_mappings, relire};
use super::{Context, RowOutcome};
use crate::model::{Field, Motif, Siecle};
use crate::reference::Territoire;
use crate::store::{Dossier, ImportWriter, LogementSortant};
use serde::Serialize;

/// What changing a dossier's territory does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffetTerritoire {
    #[serde(serialize_with = "code")]
    pub ancien: Territoire,
    #[serde(serialize_with = "code")]
    pub nouveau: Territoire,
    /// The active dwellings whose commune is outside the new territory: they are set aside
    /// (`commune_hors_territoire`) and come back if the territory takes them in again.
    pub sortants: Vec<LogementSortant>,
    /// Rows set aside as outside the old territory that become dwellings (active imports).
    pub entrants: usize,
}

fn code<S: serde::Serializer>(t: &Territoire, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.code())
}

/// What [`changer_territoire`] would do, without doing it.
pub fn effet_territoire(d: &mut Dossier, nouveau: &Territoire) -> Result<EffetTerritoire, ImportError> {
    appliquer(d, nouveau, false)
}

/// Changes the dossier's territory in one transaction: the dwellings outside it are set aside
/// (in every import, so that a restored version follows the territory too), the rows set aside
/// as outside the old territory that the new one takes in become dwellings. Returns what it did.
pub fn changer_territoire(d: &mut Dossier, nouveau: &Territoire) -> Result<EffetTerritoire, ImportError> {
    appliquer(d, nouveau, true)
}

fn appliquer(d: &mut Dossier, nouveau: &Territoire, valider: bool) -> Result<EffetTerritoire, ImportError> {
    let ancien = d.territoire();
    let mut ctx = Context::du_dossier(d, nouveau.clone())?;
    let w = ImportWriter::begin(d)?;
    let mut sortants = Vec::new();
    for (id, actif, l) in w.logements_hors(nouveau)? {
        w.sortir_du_territoire(id)?;
        if actif {
            sortants.push(l);
        }
    }
    let mut entrants = 0;
    for (x, actif) in w.rejets_hors_territoire()? {
        match relire(&x, &mut ctx) {
            Some(RowOutcome::Logement(l)) => {
                if !w.import_a_le_logement(x.import_id, &l.logement.bailleur, &l.logement.reference)? {
                    w.insert_logement(x.import_id, &l)?;
                    entrants += usize::from(actif);
                }
                w.delete_rejet(x.id)?;
            }
            Some(RowOutcome::Rejet(r)) if r.motif != Motif::CommuneHorsTerritoire => {
                w.update_rejet(x.id, r.motif, &r.valeur)?
            }
            _ => {}
        }
    }
    w.set_parametre("territoire", &nouveau.code())?;
    sortants.sort_by(|a, b| (&a.bailleur, &a.reference).cmp(&(&b.bailleur, &b.reference)));
    let effet = EffetTerritoire { ancien, nouveau: nouveau.clone(), sortants, entrants };
    if valider {
        crate::store::point_d_arret();
        w.commit()?;
    } else {
        w.annuler();
    }
    Ok(effet)
}

/// A file column whose end-of-convention dates have two-digit years (« 31/12/45 »): its rows
/// wait, set aside (`date_ambigue`), for the user to say 19xx or 20xx once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColonneAmbigue {
    /// The key to give [`trancher_siecle`].
    pub cle: String,
    pub fichier: String,
    /// The column's header as the file writes it.
    pub colonne: String,
    pub bailleurs: Vec<String>,
    pub lignes: usize,
    /// A few of the values, as written.
    pub exemples: Vec<String>,
}

/// The file columns with ambiguous two-digit years in the active imports, most rows first.
pub fn dates_ambigues(d: &Dossier) -> Result<Vec<ColonneAmbigue>, ImportError> {
    let mut out: Vec<ColonneAmbigue> = Vec::new();
    for (x, valeur) in d.rejets_du_motif(Motif::DateAmbigue)? {
        let colonne = x
            .plan
            .as_ref()
            .and_then(|p| p.entete.colonne(Field::DateFinConvention).and_then(|c| p.entete.libelles.get(c)))
            .cloned()
            .unwrap_or_default();
        let cle = super::row::cle_siecle(&x.fichier, &colonne);
        let i = match out.iter().position(|c| c.cle == cle) {
            Some(i) => i,
            None => {
                out.push(ColonneAmbigue {
                    cle,
                    fichier: x.fichier.clone(),
                    colonne: colonne.clone(),
                    bailleurs: vec![],
                    lignes: 0,
                    exemples: vec![],
                });
                out.len() - 1
            }
        };
        let c = &mut out[i];
        c.lignes += 1;
        if !c.bailleurs.contains(&x.bailleur) {
            c.bailleurs.push(x.bailleur.clone());
        }
        if c.exemples.len() < 3 && !c.exemples.contains(&valeur) {
            c.exemples.push(valeur);
        }
    }
    out.sort_by(|a, b| b.lignes.cmp(&a.lignes).then_with(|| a.cle.cmp(&b.cle)));
    Ok(out)
}

/// The user's decision for a file column's two-digit years: kept in the dossier (the next
/// imports of that file follow it), and applied at once to the rows set aside. Returns how
/// many rows became dwellings.
pub fn trancher_siecle(d: &mut Dossier, colonne: &ColonneAmbigue, siecle: Siecle) -> Result<usize, ImportError> {
    let libelle = format!("{} — {}", colonne.fichier, colonne.colonne);
    d.set_siecle(&colonne.cle, &libelle, siecle)?;
    reapply_mappings(d)
}
