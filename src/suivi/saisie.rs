//! The mises à disposition typed in the window: declared for a dwelling of the dossier, then
//! followed step by step (registers imported from a bailleur change by importing them again).

use super::echeance_de;
use super::types::{Declaration, Enregistree, Evenement, Result, SuiviError};
use crate::model::{Date, DecisionCal, Etapes, Issue, MiseADisposition};
use crate::store::Dossier;

/// Records an event on a mise à disposition typed in the window (registers imported from a
/// bailleur are changed by importing their new version).
pub fn noter(d: &Dossier, id: i64, e: Evenement, date: Date) -> Result<()> {
    let introuvable = || introuvable(id);
    let mut etapes = d.mise_a_disposition_saisie(id)?.ok_or_else(introuvable)?.etapes;
    match e {
        Evenement::Candidats => {
            etapes.date_candidats = Some(date);
            etapes.candidats = etapes.candidats.or(Some(1));
        }
        Evenement::Attribution => {
            etapes.date_cal = Some(date);
            etapes.decision_cal = Some(DecisionCal::Attribution);
        }
        Evenement::NonAttribution => {
            etapes.date_cal = Some(date);
            etapes.decision_cal = Some(DecisionCal::NonAttribution);
        }
        Evenement::BailSigne => {
            etapes.date_bail = Some(date);
            etapes.issue = Issue::BailSigne;
        }
        Evenement::Reprise => etapes.issue = Issue::Reprise,
    }
    if !d.modifier_etapes_saisies(id, &etapes)? {
        return Err(introuvable());
    }
    Ok(())
}

/// Records the household of a mise à disposition typed in the window (publics prioritaires,
/// DALO, resources quartile: the CIA objectives), as a register row carries it; `None` is
/// « non renseigné », counted apart.
pub fn noter_menage(
    d: &Dossier,
    id: i64,
    public: Option<crate::model::Public>,
    quartile: Option<crate::model::Quartile>,
) -> Result<()> {
    use crate::model::{Lu, Menage};
    let m = Menage {
        public: public.map(Lu::Valeur).unwrap_or(Lu::NonRenseigne),
        quartile: quartile.map(Lu::Valeur).unwrap_or(Lu::NonRenseigne),
    };
    if !d.modifier_menage_saisi(id, &m)? {
        return Err(introuvable(id));
    }
    Ok(())
}

/// The mises à disposition typed in the window, newest first.
pub fn saisies(d: &Dossier) -> Result<Vec<MiseADisposition>> {
    let mut all = d.mises_a_disposition_saisies()?;
    all.sort_by_key(|m| std::cmp::Reverse((m.etapes.date_mise_a_disposition, m.id)));
    Ok(all)
}

/// Saves a declared mise à disposition of a dwelling of the dossier; returns its number and
/// the reply deadline its convention sets. Refused, with nothing written, when it repeats a
/// mise à disposition of the dossier (see [`deja_enregistree`]).
pub fn declarer(d: &Dossier, x: &Declaration) -> Result<Enregistree> {
    let m = mise_a_disposition_declaree(d, x, 0)?;
    let id = d.enregistrer_mise_a_disposition(&m)?;
    if x.menage != Default::default() {
        d.modifier_menage_saisi(id, &x.menage)?;
    }
    Ok(Enregistree { id, echeance: echeance_de(d, &m) })
}

/// Corrects a mise à disposition typed in the window: what was declared is replaced by `x`
/// (dwelling, to whom, libération, notice, date, household); its later steps (candidates,
/// CALEOL, lease) are kept. The same refusals as [`declarer`], the corrected one aside.
pub fn corriger(d: &Dossier, id: i64, x: &Declaration) -> Result<Enregistree> {
    let avant = d.mise_a_disposition_saisie(id)?.ok_or_else(|| introuvable(id))?;
    let mut m = mise_a_disposition_declaree(d, x, id)?;
    m.etapes = avant.etapes;
    m.etapes.date_liberation = x.liberation;
    m.etapes.preavis = Some(x.preavis);
    m.etapes.date_mise_a_disposition = Some(x.mise_a_disposition);
    if !d.corriger_mise_a_disposition_saisie(&m)? {
        return Err(introuvable(id));
    }
    Ok(Enregistree { id, echeance: echeance_de(d, &m) })
}

/// Deletes a mise à disposition typed in the window, with its steps and household; returns
/// it as it was (to put it back: [`retablir`]). A register's rows change only by importing
/// the bailleur's register again.
pub fn supprimer(d: &Dossier, id: i64) -> Result<MiseADisposition> {
    let m = d.mise_a_disposition_saisie(id)?.ok_or_else(|| introuvable(id))?;
    if !d.supprimer_mise_a_disposition_saisie(id)? {
        return Err(introuvable(id));
    }
    Ok(m)
}

/// The register lines set aside because of the mise à disposition typed `id` (« déjà saisie »,
/// « en conflit avec la saisie »): once it is deleted they count only when the register is
/// imported again — the window says so, never a figure that drops in silence.
pub fn lignes_ecartees_par_la_saisie(d: &Dossier, id: i64) -> Result<Vec<(String, u32)>> {
    Ok(d.lignes_ecartees_par_la_saisie(id)?)
}

/// Puts back a mise à disposition deleted by [`supprimer`] (its steps and household too),
/// unless it would now repeat another; returns its new number.
pub fn retablir(d: &Dossier, m: &MiseADisposition) -> Result<i64> {
    let e = &m.etapes;
    let x = Declaration {
        bailleur: m.bailleur.clone(),
        reference: m.reference.clone(),
        reservataire: m.reservataire.clone(),
        hors_flux: m.hors_flux,
        liberation: e.date_liberation,
        preavis: e.preavis.unwrap_or(1),
        mise_a_disposition: e.date_mise_a_disposition.ok_or_else(|| {
            SuiviError::Donnees(format!("{} {} : mise à disposition sans date, non rétablie", m.bailleur, m.reference))
        })?,
        menage: m.menage.clone(),
    };
    deja_enregistree_avec(d, &x, 0, e)?;
    let id = d.enregistrer_mise_a_disposition(&MiseADisposition { id: 0, ..m.clone() })?;
    d.modifier_menage_saisi(id, &m.menage)?;
    Ok(id)
}

fn introuvable(id: i64) -> SuiviError {
    SuiviError::Donnees(format!(
        "mise à disposition n° {id} introuvable parmi celles saisies dans la fenêtre (un registre importé se corrige en réimportant le registre du bailleur)"
    ))
}

/// The mise à disposition a declaration makes, after its checks (`sauf`: the one it corrects).
fn mise_a_disposition_declaree(d: &Dossier, x: &Declaration, sauf: i64) -> Result<MiseADisposition> {
    if x.reservataire.is_none() && x.hors_flux.is_none() {
        return Err(SuiviError::Donnees("choisissez le réservataire, ou la catégorie hors flux".into()));
    }
    let mut m = logement(d, &x.bailleur, &x.reference)?.ok_or_else(|| {
        SuiviError::Donnees(format!("Logement inconnu : « {}:{} » n'est pas dans le dossier", x.bailleur, x.reference))
    })?;
    deja_enregistree(d, x, sauf)?;
    m.id = sauf;
    m.reservataire = x.reservataire.clone();
    m.hors_flux = x.hors_flux;
    m.etapes.date_liberation = x.liberation;
    m.etapes.preavis = Some(x.preavis);
    m.etapes.date_mise_a_disposition = Some(x.mise_a_disposition);
    m.menage = x.menage.clone();
    Ok(m)
}

/// Refuses a declaration that repeats what the dossier already has for the dwelling (its
/// bailleur's active register, or the mises à disposition typed in the window, `sauf` the one
/// being corrected). domaine.md: a libération is made available to one réservataire at a time
/// (to another only after a reprise or a réorientation) and counts once. So a mise à
/// disposition is one dwelling (bailleur + référence) made available on one date to one
/// réservataire (or one category outside the flux); and while an earlier one of the dwelling
/// is still open (no issue noted) or ended with a lease signed on or after that date, the
/// dwelling cannot be made available again. A declaration has no issue: one dated before a
/// mise à disposition the dossier has would overlap it, refused alike.
pub fn deja_enregistree(d: &Dossier, x: &Declaration, sauf: i64) -> Result<()> {
    // The steps of the declaration: those kept by a correction, none for a new one.
    let etapes = match sauf {
        0 => Etapes::default(),
        id => d.mise_a_disposition_saisie(id)?.map(|m| m.etapes).unwrap_or_default(),
    };
    deja_enregistree_avec(d, x, sauf, &etapes)
}

/// [`deja_enregistree`] for a declaration with these steps (a deleted one put back).
fn deja_enregistree_avec(d: &Dossier, x: &Declaration, sauf: i64, etapes: &Etapes) -> Result<()> {
    use crate::consolidate::de_reservataire;
    use crate::format::date_fr;
    let jour = |d: Date| date_fr(&d.to_string());
    for a in d.mises_a_disposition_du_logement(&x.bailleur, &x.reference)? {
        let m = &a.mise_a_disposition;
        if m.id == sauf {
            continue;
        }
        let Some(date) = m.etapes.date_mise_a_disposition else { continue };
        let de_qui = match (&m.reservataire, m.hors_flux) {
            (Some(r), _) => de_reservataire(r),
            (None, Some(h)) => format!("hors flux ({})", h.label()),
            (None, None) => "d'un réservataire non dit".to_string(),
        };
        let ou = match &a.registre {
            Some((fichier, ligne)) => format!("registre importé du bailleur, {fichier}, ligne {ligne}"),
            None => format!("saisie dans la fenêtre, n° {}", m.id),
        };
        let que_faire = match &a.registre {
            Some(_) => "Si le registre n'est plus à jour, importez sa nouvelle version",
            None => "Corrigez-la ou supprimez-la dans « Mises à disposition saisies ici »",
        };
        let debut =
            format!("{} {} est déjà mis à disposition {de_qui} le {} ({ou})", x.bailleur, x.reference, jour(date));
        let meme = m.reservataire == x.reservataire && m.hors_flux == x.hors_flux;
        if date == x.mise_a_disposition && meme {
            return Err(SuiviError::Donnees(format!(
                "{debut} : une mise à disposition est le même logement, à la même date, pour le même réservataire ; elle n'est comptée qu'une fois. {que_faire}. Rien n'a été enregistré."
            )));
        }
        if date > x.mise_a_disposition {
            // Made available earlier, the declaration would still hold the dwelling on this
            // later date unless its end is noted (a new one has none; a corrected one keeps its
            // steps): the two would overlap ([`MiseADisposition::face_a`]).
            if etapes.occupe(date).is_some() {
                return Err(SuiviError::Donnees(format!(
                    "{debut} : une mise à disposition plus tôt, le {}, serait encore ouverte ce jour-là, sans issue notée ; un logement libéré n'est mis à disposition que d'un réservataire à la fois. {que_faire}. Rien n'a été enregistré.",
                    jour(x.mise_a_disposition)
                )));
            }
            continue;
        }
        // Still made available on the new date (the lease came later, or no end is noted):
        // that is the reason, said as such — the dwelling was not let yet.
        let encore = format!(
            "{} {} est encore mis à disposition {de_qui} depuis le {} ({ou}) au {}",
            x.bailleur,
            x.reference,
            jour(date),
            jour(x.mise_a_disposition)
        );
        match m.etapes.occupe(x.mise_a_disposition) {
            Some(crate::model::Occupe::BailLeJour(bail)) => {
                return Err(SuiviError::Donnees(format!(
                    "{debut} : son bail est signé le {}, le jour même ; le logement est loué ce jour-là, il ne peut pas être mis à disposition à nouveau. {que_faire}. Rien n'a été enregistré.",
                    jour(bail)
                )));
            }
            Some(crate::model::Occupe::BailApres(bail)) => {
                return Err(SuiviError::Donnees(format!(
                    "{encore} : cette mise à disposition n'a pris fin qu'au bail signé le {} ; un logement libéré n'est mis à disposition que d'un réservataire à la fois. {que_faire}. Rien n'a été enregistré.",
                    jour(bail)
                )));
            }
            Some(crate::model::Occupe::SansIssue) => {
                return Err(SuiviError::Donnees(format!(
                    "{encore}, sans issue notée : un logement libéré n'est mis à disposition que d'un réservataire à la fois. Notez d'abord la fin de cette mise à disposition (reprise par le bailleur). {que_faire}. Rien n'a été enregistré."
                )));
            }
            None => {}
        }
    }
    Ok(())
}

/// The dwelling of the dossier behind `BAILLEUR:REFERENCE`, as a mise à disposition starts.
pub fn logement(d: &Dossier, bailleur: &str, reference: &str) -> Result<Option<MiseADisposition>> {
    Ok(d.logement_actif(bailleur, reference)?.map(|l| MiseADisposition {
        id: 0,
        bailleur: bailleur.to_string(),
        reference: reference.to_string(),
        commune: l.commune,
        epci: l.epci,
        typologie: l.typologie_grille,
        financement: l.financement,
        qpv: l.qpv,
        annee_construction: l.annee_construction,
        reservataire: None,
        hors_flux: None,
        etapes: Etapes::default(),
        signalement: None,
        menage: Default::default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Lu, Menage, Public, Quartile, Reservataire};
    use crate::suivi::bilan::{BilanOptions, Periode, bilan};
    use crate::suivi::{HorsFlux, SuiviError};

    struct Temp(std::path::PathBuf);
    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn jour(m: u8, j: u8) -> Date {
        Date::new(2024, m, j).unwrap()
    }

    /// Azur: three dwellings in Antibes (A1, A2 for the State, A3 not reserved); its register
    /// says A1 was made available to the State on 19/04/2024, lease on 08/06/2024.
    fn dossier(t: &Temp) -> Dossier {
        use crate::import::run::{ImportOptions, Silent, import_files};
        std::fs::create_dir_all(&t.0).unwrap();
        let edl = t.0.join("azur.csv");
        std::fs::write(
            &edl,
            "Référence;Code INSEE;Commune;Réservataire;Typologie;Financement\nA1;06004;Antibes;Préfecture;T3;PLUS\nA2;06004;Antibes;Préfecture;T2;PLUS\nA3;06004;Antibes;Non réservé;T4;PLAI\n",
        )
        .unwrap();
        let mut d = Dossier::open(&t.0.join("d.sqlite"), true).unwrap();
        let o = ImportOptions {
            bailleur: Some("Azur".into()),
            territoire: Some("240600585".into()),
            date_reference: Some("2024-01-01".into()),
            accepter_perte: false,
        };
        import_files(&mut d, &[edl], &o, &Silent, &std::sync::atomic::AtomicBool::new(false)).unwrap();
        let reg = t.0.join("registre_azur.csv");
        std::fs::write(
            &reg,
            "N° logement;Réservataire;Date de mise à disposition;Date de libération;Préavis;Nb candidats;Date désignation;Date commission;Décision;Date signature bail;Issue;Hors flux\nA1;Préfecture;19/04/2024;15/04/2024;1 mois;3;25/04/2024;13/05/2024;Attribution;08/06/2024;Bail signé;\n",
        )
        .unwrap();
        crate::suivi::importer(&mut d, &[reg], Some("Azur"), None).unwrap();
        d
    }

    fn declaration(reference: &str, reservataire: &str, date: Date) -> Declaration {
        Declaration {
            bailleur: "Azur".into(),
            reference: reference.into(),
            reservataire: Some(Reservataire::new(reservataire)),
            hors_flux: None,
            liberation: None,
            preavis: 1,
            mise_a_disposition: date,
            menage: Menage::default(),
        }
    }

    fn refus(r: Result<Enregistree>) -> String {
        match r {
            Err(SuiviError::Donnees(m)) => m,
            other => panic!("refusal expected, got {other:?}"),
        }
    }

    /// The State's « mis à disposition » of the 2024 bilan of Azur.
    fn mis_a_disposition_etat(d: &Dossier) -> u64 {
        let o = BilanOptions {
            periode: Periode::new(2024, None, None, None).unwrap(),
            bailleur: Some("Azur".into()),
            epci: Some("240600585".into()),
            reservataire: None,
        };
        let b = bilan(d, &o).unwrap();
        b.reservataires.iter().find(|r| r.id == "etat").map(|r| r.mises_a_disposition).unwrap_or(0)
    }

    #[test]
    fn a_mise_a_disposition_is_recorded_once_and_can_be_corrected_or_deleted() {
        let t = Temp(std::env::temp_dir().join(format!("contingents-saisie-{}", std::process::id())));
        let d = dossier(&t);
        assert_eq!(mis_a_disposition_etat(&d), 1, "the register's A1");

        // The register's own row, typed again: refused, with where it is.
        let m = refus(declarer(&d, &declaration("A1", "etat", jour(4, 19))));
        assert!(m.starts_with("Azur A1 est déjà mis à disposition de l'État (contingent préfectoral) le 19/04/2024 (registre importé du bailleur, registre_azur.csv, ligne 2) : une mise à disposition est le même logement, à la même date, pour le même réservataire"), "{m}");
        assert!(m.ends_with("Rien n'a été enregistré."), "{m}");
        // While that one ran (lease on 08/06): the dwelling was let.
        // While that one ran (lease on 08/06): on 02/05 the dwelling was still made available
        // to the State, not let yet — the reason said is that one.
        let m = refus(declarer(&d, &declaration("A1", "action-logement", jour(5, 2))));
        assert!(
            m.starts_with("Azur A1 est encore mis à disposition de l'État (contingent préfectoral) depuis le 19/04/2024 (registre importé du bailleur, registre_azur.csv, ligne 2) au 02/05/2024 : cette mise à disposition n'a pris fin qu'au bail signé le 08/06/2024 ;"),
            "{m}"
        );
        assert!(!m.contains("loué"), "{m}");
        // On the day of the lease: let that day.
        let m = refus(declarer(&d, &declaration("A1", "action-logement", jour(6, 8))));
        assert!(m.contains("son bail est signé le 08/06/2024, le jour même ; le logement est loué ce jour-là"), "{m}");
        // After the lease: a new libération, accepted (and deleted again).
        let apres = declarer(&d, &declaration("A1", "action-logement", jour(6, 9))).unwrap();
        supprimer(&d, apres.id).unwrap();
        assert_eq!(mis_a_disposition_etat(&d), 1);

        // A2 declared with its household; a second click is refused.
        let mut x = declaration("A2", "etat", jour(5, 2));
        x.menage = Menage { public: Lu::Valeur(Public::Dalo), quartile: Lu::Valeur(Quartile::Q1) };
        let premiere = declarer(&d, &x).unwrap();
        // 02/05/2024 + 15 jours ouvrés, 8, 9 (Ascension) and 20 May (Whit Monday) being
        // holidays: 3, 6, 7, 10, 13–17, 21–24, 27, 28 → Tuesday 28/05/2024.
        assert_eq!(premiere.echeance, Some(jour(5, 28)));
        let gardee = d.mise_a_disposition_saisie(premiere.id).unwrap().unwrap();
        assert_eq!(gardee.menage, x.menage);
        assert_eq!(mis_a_disposition_etat(&d), 2);
        let m = refus(declarer(&d, &x));
        assert!(m.contains(&format!("(saisie dans la fenêtre, n° {})", premiere.id)), "{m}");
        assert!(m.contains("Corrigez-la ou supprimez-la"), "{m}");
        assert_eq!(mis_a_disposition_etat(&d), 2, "nothing written");
        // Still open: not to another réservataire either, until its end is noted.
        let autre = declaration("A2", "action-logement", jour(5, 10));
        let m = refus(declarer(&d, &autre));
        assert!(
            m.contains(&format!("Azur A2 est encore mis à disposition de l'État (contingent préfectoral) depuis le 02/05/2024 (saisie dans la fenêtre, n° {}) au 10/05/2024, sans issue notée : un logement libéré n'est mis à disposition que d'un réservataire à la fois", premiere.id)),
            "{m}"
        );
        noter(&d, premiere.id, Evenement::Reprise, jour(5, 9)).unwrap();
        let seconde = declarer(&d, &autre).unwrap();
        assert_eq!(d.mises_a_disposition(None, None).unwrap().len(), 3);

        // Corrected: the same number, the new date, the steps kept; not onto the first one.
        let mut corrigee = autre.clone();
        corrigee.mise_a_disposition = jour(5, 13);
        corrigee.hors_flux = None;
        assert_eq!(corriger(&d, seconde.id, &corrigee).unwrap().id, seconde.id);
        let m2 = d.mise_a_disposition_saisie(seconde.id).unwrap().unwrap();
        assert_eq!(m2.etapes.date_mise_a_disposition, Some(jour(5, 13)));
        let m = refus(corriger(&d, seconde.id, &x));
        assert!(m.contains("le 02/05/2024 (saisie dans la fenêtre"), "{m}");
        assert!(matches!(corriger(&d, 999, &corrigee), Err(SuiviError::Donnees(_))));
        // The first one moved a day earlier keeps its reprise of 09/05: it ended before the
        // second began, accepted; a new one on that day, without an issue, would overlap it.
        let mut plus_tot = x.clone();
        plus_tot.mise_a_disposition = jour(5, 1);
        assert_eq!(corriger(&d, premiere.id, &plus_tot).unwrap().id, premiere.id);
        let mut sans_issue = declaration("A2", "defense", jour(4, 30));
        let m = refus(declarer(&d, &sans_issue));
        assert!(
            m.contains(
                "une mise à disposition plus tôt, le 30/04/2024, serait encore ouverte ce jour-là, sans issue notée"
            ),
            "{m}"
        );
        sans_issue.mise_a_disposition = jour(5, 20);
        assert!(
            refus(declarer(&d, &sans_issue))
                .contains("encore mis à disposition d'Action Logement depuis le 13/05/2024")
        );
        assert_eq!(corriger(&d, premiere.id, &x).unwrap().id, premiere.id);

        // Deleted: the State's figure back to the register's; put back: counted again.
        let supprimee = supprimer(&d, premiere.id).unwrap();
        assert_eq!(mis_a_disposition_etat(&d), 1);
        assert!(d.mise_a_disposition_saisie(premiere.id).unwrap().is_none());
        let id = retablir(&d, &supprimee).unwrap();
        assert_eq!(mis_a_disposition_etat(&d), 2);
        let remise = d.mise_a_disposition_saisie(id).unwrap().unwrap();
        assert_eq!((remise.etapes.issue, remise.menage.clone()), (Issue::Reprise, x.menage.clone()));
        // Put back twice: the second is a repeat.
        assert!(retablir(&d, &supprimee).is_err());
        // A register's row is never deleted from here.
        let du_registre = d.mises_a_disposition_du_logement("Azur", "A1").unwrap()[0].mise_a_disposition.id;
        assert!(supprimer(&d, du_registre).is_err());
        assert_eq!(mis_a_disposition_etat(&d), 2);

        // Outside the flux: the category is the « réservataire » of the rule.
        let mut h = declaration("A3", "etat", jour(7, 1));
        h.reservataire = None;
        h.hors_flux = Some(HorsFlux::Mutations);
        declarer(&d, &h).unwrap();
        assert!(refus(declarer(&d, &h)).contains("hors flux (Mutations internes) le 01/07/2024"));
    }
}
