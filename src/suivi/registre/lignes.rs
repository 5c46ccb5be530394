//! Reading a register's rows under its header: each row a [`Ligne`], or set aside with its
//! motif and the value at fault ([`Rejet`]).

use super::libelles::{LectureDecision, LectureHorsFlux, decision, hors_flux, issue, preavis};
use super::{Champ, Entete};
use crate::import::cell::{FenetreDate, LectureDate, lire_date};
use crate::import::header::Field;
use crate::import::read::SheetData;
use crate::import::row::valeur_trop_longue;
use crate::import::{cell_text, is_blank, is_total_row, normalize, raw_row, raw_text};
use crate::model::Date;
use crate::suivi::{HorsFlux, Issue};
use crate::text::key;
use calamine::Data;

/// One register row, read but not yet joined to the dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct Ligne {
    pub feuille: Option<String>,
    pub ligne: u32,
    pub reference: String,
    pub reservataire_brut: String,
    pub bailleur: Option<String>,
    /// The dwelling as the row describes it (used when the dossier does not know it).
    pub commune_brut: String,
    pub typologie_brut: String,
    pub financement_brut: String,
    pub qpv_brut: String,
    pub annee_construction: Option<i32>,
    pub etapes: crate::suivi::Etapes,
    pub hors_flux: Option<HorsFlux>,
    /// The household's cells as written (« Ménage », « DALO », « Quartile »), read against the
    /// dossier's mappings when joined.
    pub menage_brut: String,
    pub dalo_brut: String,
    pub quartile_brut: String,
    /// The quartile column is a « 1er quartile » Oui / Non column.
    pub quartile_oui_non: bool,
    /// The préavis cell as written (`None`: the register has no préavis column).
    pub preavis_brut: Option<String>,
    pub brut: String,
}

/// A row set aside, with its motif and the value at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejet {
    pub feuille: Option<String>,
    pub ligne: u32,
    pub motif: &'static str,
    pub valeur: String,
    pub brut: String,
}

/// Reads the data rows of one sheet, imported on `import` (its dates lie between 2000-01-01
/// and a year after it; two-digit years are 20xx). `Err` is a row set aside.
pub fn lignes(sheet: &SheetData, e: &Entete, import: Date) -> Vec<Result<Ligne, Rejet>> {
    // A text of digits (« 45000 ») is a workbook's serial date only in a workbook: a CSV (a
    // sheet without a name) has no date system, it is no date there.
    let fenetre = FenetreDate { serie_en_texte: sheet.name.is_some(), ..FenetreDate::registre(import) };
    fn cellule<'a>(e: &Entete, row: &'a [Data], c: Champ) -> Option<&'a Data> {
        e.colonne(c).and_then(|i| row.get(i))
    }
    let col = |row, c| cellule(e, row, c);
    let text = |row: &[Data], c: Champ| cellule(e, row, c).map(|d| cell_text(d).into_owned()).unwrap_or_default();
    let mut out = Vec::new();
    for (ligne, row) in sheet.data_rows(e.ligne + 1) {
        let filled = e.colonnes.iter().filter(|(_, i)| row.get(*i).is_some_and(|d| !is_blank(d))).count();
        if filled < 2 || is_total_row(row) {
            continue;
        }
        let brut = raw_row(row);
        let rejet = |motif: &'static str, valeur: String| Rejet {
            feuille: sheet.name.clone(),
            ligne,
            motif,
            valeur,
            brut: brut.clone(),
        };
        if let Some(v) = valeur_trop_longue(row) {
            out.push(Err(rejet("valeur_trop_longue", v)));
            continue;
        }
        let reference = text(row, Champ::Logement(Field::Reference));
        if reference.is_empty() {
            out.push(Err(rejet("reference_manquante", raw_text(col(row, Champ::Logement(Field::Reference))))));
            continue;
        }
        // Every date that is written must read; an impossible one (31/02) sets the row aside.
        let mut dates = [None; 6];
        let mut illisible = None;
        for (i, c) in [
            Champ::DateLiberation,
            Champ::DateMiseADisposition,
            Champ::DateValidation,
            Champ::DateCandidats,
            Champ::DateCal,
            Champ::DateBail,
        ]
        .into_iter()
        .enumerate()
        {
            match col(row, c).map(|d| lire_date(d, &fenetre)) {
                Some(LectureDate::Date(x)) => dates[i] = Some(x),
                Some(LectureDate::Illisible(v) | LectureDate::Ambigue(v)) => {
                    illisible.get_or_insert(v);
                }
                Some(LectureDate::Vide) | None => {}
            }
        }
        if let Some(v) = illisible {
            out.push(Err(rejet("date_illisible", v)));
            continue;
        }
        let hf = match hors_flux(&text(row, Champ::HorsFlux)) {
            LectureHorsFlux::Flux => None,
            LectureHorsFlux::HorsFlux(c) => Some(c),
            LectureHorsFlux::Inconnu => {
                out.push(Err(rejet(crate::suivi::import_registre::HORS_FLUX_INCONNU, text(row, Champ::HorsFlux))));
                continue;
            }
        };
        let decision_cal = match decision(&text(row, Champ::DecisionCal)) {
            LectureDecision::Aucune => None,
            LectureDecision::Decision(d) => Some(d),
            LectureDecision::Inconnue => {
                out.push(Err(rejet(crate::suivi::import_registre::DECISION_INCONNUE, text(row, Champ::DecisionCal))));
                continue;
            }
        };
        let [date_liberation, date_mise_a_disposition, date_validation, date_candidats, date_cal, date_bail] = dates;
        if date_mise_a_disposition.is_none() && date_bail.is_none() {
            out.push(Err(rejet("date_illisible", "date de mise à disposition absente".into())));
            continue;
        }
        let candidats_txt = text(row, Champ::Candidats);
        let mut issue = issue(&text(row, Champ::Issue));
        // A lease date makes the issue a lease — unless the row says the bailleur took the
        // dwelling back: then the lease is the bailleur's own (domaine.md, « Attribution
        // objectives »), not the réservataire's.
        if date_bail.is_some() && issue != Issue::Reprise {
            issue = Issue::BailSigne;
        }
        out.push(Ok(Ligne {
            feuille: sheet.name.clone(),
            ligne,
            reference,
            reservataire_brut: text(row, Champ::Logement(Field::Reservataire)),
            bailleur: Some(text(row, Champ::Logement(Field::Bailleur))).filter(|s| !s.is_empty()),
            commune_brut: [Field::CodeInsee, Field::Commune, Field::CodePostal]
                .iter()
                .map(|f| text(row, Champ::Logement(*f)))
                .find(|s| !s.is_empty())
                .unwrap_or_default(),
            typologie_brut: text(row, Champ::Logement(Field::Typologie)),
            financement_brut: text(row, Champ::Logement(Field::Financement)),
            qpv_brut: text(row, Champ::Logement(Field::Qpv)),
            annee_construction: col(row, Champ::Logement(Field::AnneeConstruction))
                .and_then(|d| normalize::annee(&cell_text(d))),
            etapes: crate::suivi::Etapes {
                date_liberation,
                preavis: {
                    let t = text(row, Champ::Preavis);
                    let oui_non = |oui: u8| match key(&t).as_str() {
                        "oui" | "o" | "x" | "vrai" => Some(oui),
                        "non" | "n" | "faux" => Some(4 - oui),
                        _ => None,
                    };
                    e.preavis_oui.and_then(oui_non).or_else(|| preavis(&t))
                },
                date_mise_a_disposition,
                date_validation,
                candidats: crate::format::parse_entier(&candidats_txt).ok().map(|n| n.min(u32::MAX as u64) as u32),
                date_candidats,
                date_cal,
                decision_cal,
                date_bail,
                issue,
            },
            hors_flux: hf,
            menage_brut: text(row, Champ::Menage),
            dalo_brut: text(row, Champ::Dalo),
            quartile_brut: text(row, Champ::Quartile),
            quartile_oui_non: e.quartile_oui_non,
            preavis_brut: e.colonne(Champ::Preavis).map(|_| text(row, Champ::Preavis)),
            brut,
        }));
    }
    // CSV lines broken by a quote, below the header: set aside, never swallowed.
    let entete = sheet.row_number(e.ligne);
    for (ligne, texte) in sheet.illisibles.iter().filter(|(l, _)| *l > entete) {
        let valeur = if texte.chars().count() <= 200 {
            texte.clone()
        } else {
            format!("{}…", texte.chars().take(200).collect::<String>())
        };
        out.push(Err(Rejet {
            feuille: sheet.name.clone(),
            ligne: *ligne,
            motif: "ligne_illisible",
            valeur,
            brut: texte.replace(['\t', '\r', '\n'], " "),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suivi::DecisionCal;
    use crate::suivi::registre::entete;
    use crate::suivi::registre::feuille_de_test as sheet;

    #[test]
    fn the_casa_layout_and_its_abbreviations() {
        let s = sheet(&[
            &["Registre 2024", "", "", "", "", "", "", "", "", "", "", ""],
            &[
                "Réf. logement",
                "Contingent",
                "Date envoi fiche navette",
                "Date fin de préavis",
                "Type de préavis",
                "Candidats présentés",
                "Date présentation candidats",
                "Date CALEOL",
                "Avis CALEOL",
                "Date d'effet du bail",
                "Suite donnée",
                "Catégorie hors flux",
            ],
            &[
                "HA-1",
                "ALS",
                "20/05/2024",
                "08/08/2024",
                "3 mois",
                "3",
                "07/06/2024",
                "22/06/2024",
                "Favorable",
                "09/08/2024",
                "Bail signé",
                "",
            ],
            &[
                "HA-2",
                "",
                "05/04/2024",
                "05/04/2024",
                "1 mois",
                "1",
                "",
                "",
                "",
                "05/05/2024",
                "Bail signé",
                "Mutation",
            ],
            &["HA-3", "ALS", "31/02/2024", "15/03/2024", "1 mois", "3", "", "", "", "", "En attente", ""],
            &["", "Préfecture", "02/05/2024", "", "", "", "", "", "", "", "En attente", ""],
            &[
                "HA-4",
                "Préfecture",
                "2024-03-07",
                "",
                "1 mois",
                "3",
                "",
                "12/04/2024",
                "Défavorable",
                "",
                "Logement repris",
                "",
            ],
        ]);
        let e = entete(&s).unwrap();
        assert_eq!(e.ligne, 1);
        assert_eq!(e.colonne(Champ::Logement(Field::Reference)), Some(0));
        assert_eq!(e.colonne(Champ::Logement(Field::Reservataire)), Some(1));
        assert_eq!(e.colonne(Champ::DateMiseADisposition), Some(2));
        assert_eq!(e.colonne(Champ::DateLiberation), Some(3));
        assert_eq!(e.colonne(Champ::Preavis), Some(4));
        assert_eq!(e.colonne(Champ::Candidats), Some(5));
        assert_eq!(e.colonne(Champ::DateCandidats), Some(6));
        assert_eq!(e.colonne(Champ::DateCal), Some(7));
        assert_eq!(e.colonne(Champ::DecisionCal), Some(8));
        assert_eq!(e.colonne(Champ::DateBail), Some(9));
        assert_eq!(e.colonne(Champ::Issue), Some(10));
        assert_eq!(e.colonne(Champ::HorsFlux), Some(11));
        let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l.len(), 5);
        let a = l[0].as_ref().unwrap();
        assert_eq!((a.etapes.preavis, a.etapes.candidats, a.etapes.issue), (Some(3), Some(3), Issue::BailSigne));
        assert_eq!(a.etapes.date_bail, Date::new(2024, 8, 9));
        assert_eq!(a.etapes.decision_cal, Some(DecisionCal::Attribution));
        assert_eq!(a.ligne, 3);
        assert_eq!(l[1].as_ref().unwrap().hors_flux, Some(HorsFlux::Mutations));
        assert_eq!(l[2].as_ref().unwrap_err().motif, "date_illisible");
        assert_eq!(l[2].as_ref().unwrap_err().valeur, "31/02/2024");
        assert_eq!(l[3].as_ref().unwrap_err().motif, "reference_manquante");
        let d = l[4].as_ref().unwrap();
        assert_eq!((d.etapes.issue, d.etapes.decision_cal), (Issue::Reprise, Some(DecisionCal::NonAttribution)));
        assert_eq!(d.etapes.date_mise_a_disposition, Date::new(2024, 3, 7));
    }

    #[test]
    fn a_filler_of_the_hors_flux_column_is_the_flux_and_an_unknown_label_is_set_aside() {
        let s = sheet(&[
            &["Réf. logement", "Contingent", "Date envoi fiche navette", "Suite donnée", "Catégorie hors flux"],
            &["HA-1", "ALS", "20/05/2024", "En attente", "Non concerné"],
            &["HA-2", "ALS", "21/05/2024", "En attente", "Sans objet"],
            &["HA-3", "ALS", "22/05/2024", "En attente", "N/A"],
            &["HA-4", "ALS", "23/05/2024", "En attente", "0"],
            &["HA-5", "ALS", "24/05/2024", "En attente", "Dans le flux"],
            &["HA-6", "", "25/05/2024", "En attente", "NPNRU"],
            &["HA-7", "", "26/05/2024", "En attente", "Mut. interne"],
            &["HA-8", "ALS", "27/05/2024", "En attente", "Xyzzy"],
        ]);
        let e = entete(&s).unwrap();
        let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l.len(), 8);
        for x in &l[..5] {
            let x = x.as_ref().unwrap();
            assert_eq!((x.hors_flux, x.reservataire_brut.as_str()), (None, "ALS"), "{}", x.reference);
        }
        assert_eq!(l[5].as_ref().unwrap().hors_flux, Some(HorsFlux::Relogements));
        assert_eq!(l[6].as_ref().unwrap().hors_flux, Some(HorsFlux::Mutations));
        let r = l[7].as_ref().unwrap_err();
        assert_eq!((r.motif, r.valeur.as_str(), r.ligne), ("hors_flux_inconnu", "Xyzzy", 9));
    }

    /// « Préavis réduit » Oui / Non: Oui is one month, Non three (« Préavis normal » the reverse).
    #[test]
    fn a_preavis_column_of_oui_non() {
        for (titre, oui, non) in [("Préavis réduit", 1, 3), ("Préavis normal", 3, 1)] {
            let s = sheet(&[
                &["Réf. logement", "Contingent", "Date envoi fiche navette", titre],
                &["HA-1", "ALS", "20/05/2024", "Oui"],
                &["HA-2", "ALS", "21/05/2024", "Non"],
                &["HA-3", "ALS", "22/05/2024", "3 mois"],
                &["HA-4", "ALS", "23/05/2024", "peut-être"],
            ]);
            let e = entete(&s).unwrap();
            let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
            let p: Vec<Option<u8>> = l.iter().map(|x| x.as_ref().unwrap().etapes.preavis).collect();
            assert_eq!(p, [Some(oui), Some(non), Some(3), None], "{titre}");
        }
    }

    /// An unknown CALEOL decision sets its row aside with its value (before: a non-attribution,
    /// a chute of the réservataire); « En attente » is no decision yet, the row kept.
    #[test]
    fn an_unknown_decision_is_set_aside_never_a_non_attribution() {
        let s = sheet(&[
            &["Réf. logement", "Contingent", "Date envoi fiche navette", "Date CALEOL", "Avis CALEOL"],
            &["HA-1", "ALS", "20/05/2024", "12/06/2024", "Favorable"],
            &["HA-2", "ALS", "21/05/2024", "12/06/2024", "En instruction"],
            &["HA-3", "ALS", "22/05/2024", "", "En attente"],
            &["HA-4", "ALS", "23/05/2024", "12/06/2024", "Ajourné"],
        ]);
        let e = entete(&s).unwrap();
        let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l.len(), 4);
        assert_eq!(l[0].as_ref().unwrap().etapes.decision_cal, Some(DecisionCal::Attribution));
        let r = l[1].as_ref().unwrap_err();
        assert_eq!((r.motif, r.valeur.as_str(), r.ligne), ("decision_inconnue", "En instruction", 3));
        assert_eq!(l[2].as_ref().unwrap().etapes.decision_cal, None);
        assert_eq!(l[3].as_ref().unwrap().etapes.decision_cal, Some(DecisionCal::NonAttribution));
    }

    /// « 45000 » written as text is a serial date of a workbook (15/03/2023), never of a CSV,
    /// which has no date system: there the row is set aside, its value said.
    #[test]
    fn digits_are_a_serial_date_in_a_workbook_only() {
        let rows: [&[&str]; 2] =
            [&["Réf. logement", "Contingent", "Date envoi fiche navette"], &["HA-1", "ALS", "45000"]];
        let classeur = sheet(&rows);
        let e = entete(&classeur).unwrap();
        let l = lignes(&classeur, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l[0].as_ref().unwrap().etapes.date_mise_a_disposition, Date::new(2023, 3, 15));
        let csv = SheetData { name: None, ..sheet(&rows) };
        let l = lignes(&csv, &e, Date::new(2024, 12, 31).unwrap());
        let r = l[0].as_ref().unwrap_err();
        assert_eq!((r.motif, r.valeur.as_str()), ("date_illisible", "45000"));
    }

    /// Two lease dates, its effect and its signature: the signature is the lease's date
    /// (domaine.md), whichever column comes first; one of them alone is read as before.
    #[test]
    fn the_lease_is_dated_by_its_signature_when_both_dates_are_given() {
        for (entetes, ligne) in [
            (
                [
                    "Réf. logement",
                    "Contingent",
                    "Date envoi fiche navette",
                    "Date d'effet du bail",
                    "Date de signature du bail",
                ],
                ["HA-1", "ALS", "20/05/2024", "01/07/2024", "15/06/2024"],
            ),
            (
                [
                    "Réf. logement",
                    "Contingent",
                    "Date envoi fiche navette",
                    "Date de signature du bail",
                    "Date d'effet du bail",
                ],
                ["HA-1", "ALS", "20/05/2024", "15/06/2024", "01/07/2024"],
            ),
        ] {
            let s = sheet(&[&entetes, &ligne]);
            let e = entete(&s).unwrap();
            let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
            assert_eq!(l[0].as_ref().unwrap().etapes.date_bail, Date::new(2024, 6, 15), "{entetes:?}");
        }
        let s = sheet(&[
            &["Réf. logement", "Contingent", "Date envoi fiche navette", "Date d'effet du bail"],
            &["HA-1", "ALS", "20/05/2024", "01/07/2024"],
        ]);
        let e = entete(&s).unwrap();
        let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l[0].as_ref().unwrap().etapes.date_bail, Date::new(2024, 7, 1));
    }
}
