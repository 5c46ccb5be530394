//! The commands of the documents one signs and of the conventions' settings: the annex (of an
//! EPCI, a commune or a département), the forecast of the soustraits, the reply deadline with
//! the dwelling's holidays, and the bailleur's settings.

use super::*;

/// A line on standard output; a closed output (`| head`) is not an error.
fn ecrire(ligne: std::fmt::Arguments) -> Result<()> {
    match writeln!(std::io::stdout().lock(), "{ligne}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn annexe(
    dossier: PathBuf,
    reservataire: String,
    commune: Option<String>,
    epci: Option<String>,
    departement: Option<String>,
    bailleur: Option<String>,
    annee: Option<i32>,
    out: PathBuf,
) -> Result<()> {
    let reservataire = reservataire_arg("--reservataire", &reservataire)?;
    let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
    match &departement {
        Some(dep) => {
            contingents::export::annexe::export_departement(&d, &reservataire, dep, bailleur.as_deref(), annee, &out)
        }
        None => contingents::export::annexe::export(
            &d,
            &reservataire,
            commune.as_deref(),
            epci.as_deref(),
            bailleur.as_deref(),
            annee,
            &out,
        ),
    }
    .map_err(user)?;
    ecrire(format_args!("Annexe écrite : {}", out.display()))?;
    Ok(())
}

pub(super) fn prevision(dossier: PathBuf, bailleur: String, annee: i32, out: PathBuf) -> Result<()> {
    let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
    contingents::export::prevision::export(&d, &bailleur, annee, &out).map_err(user)?;
    ecrire(format_args!("Prévision des soustraits écrite : {}", out.display()))?;
    Ok(())
}

pub(super) fn delai(
    mise_a_disposition: &str,
    preavis: u8,
    departement: Option<String>,
    dossier: Option<PathBuf>,
    logement: Option<String>,
    reservataire: Option<String>,
) -> Result<()> {
    use contingents::suivi::calendrier::{Calendrier, RegleDelai};
    let reservataire = reservataire.map(|r| reservataire_arg("--reservataire", &r)).transpose()?;
    let date = contingents::model::Date::parse_iso(mise_a_disposition)
        .ok_or_else(|| user(format!("--mise-a-disposition « {mise_a_disposition} » : date attendue AAAA-MM-JJ")))?;
    if preavis != 1 && preavis != 3 {
        return Err(user(format!("--preavis {preavis} : 1 ou 3 (mois)")));
    }
    let (cal, regle) = match (&departement, &dossier, &logement) {
        (Some(dep), _, _) => {
            if contingents::reference::reference().departement(dep).is_none() {
                return Err(user(format!("département inconnu « {dep} » : attendu un code comme 06, 67 ou 974")));
            }
            (Calendrier::du_departement(dep), RegleDelai::Preavis)
        }
        (None, Some(path), Some(l)) => {
            let RefLogement { bailleur: b, reference } = l.parse().map_err(|_| logement_invalide(l))?;
            let d = Dossier::open_read_only(path).map_err(store_err)?;
            let m = contingents::suivi::logement(&d, &b, &reference)
                .map_err(suivi_err)?
                .ok_or_else(|| user(format!("logement inconnu : « {l} » n'est pas dans le dossier")))?;
            let dep = contingents::suivi::departement_de(&m.commune);
            match &reservataire {
                Some(r) => (
                    contingents::suivi::calendrier_de_la_convention(&d, &b, r, dep.as_deref()),
                    contingents::suivi::regle_delai(&d, &b, r),
                ),
                None => (Calendrier { departement: dep, ..Calendrier::national() }, RegleDelai::Preavis),
            }
        }
        _ => (Calendrier::national(), RegleDelai::Preavis),
    };
    let e = cal.echeance(date, preavis, regle).ok_or_else(|| user("date hors du calendrier accepté"))?;
    ecrire(format_args!("{e}"))?;
    Ok(())
}

pub(super) fn bailleur(mut a: BailleurArgs) -> Result<()> {
    let renomme = a.renommer.is_some();
    if let Some(nouveau) = a.renommer.take() {
        let mut d = Dossier::open(&a.dossier, false).map_err(store_err)?;
        d.renommer_bailleur(&a.nom, &nouveau).map_err(store_err)?;
        let nouveau = nouveau.trim().to_string();
        ecrire(format_args!("Bailleur « {} » renommé « {nouveau} »", a.nom))?;
        a.nom = nouveau;
    }
    let change = a.adresse.is_some()
        || a.correspondant.is_some()
        || a.fonction.is_some()
        || a.telephone.is_some()
        || a.courriel.is_some()
        || a.delai.is_some()
        || a.lundi_pentecote.is_some()
        || a.vendredi_saint.is_some();
    let d = if change { Dossier::open(&a.dossier, false) } else { Dossier::open_read_only(&a.dossier) }
        .map_err(store_err)?;
    let connus = d.bailleurs_actifs()?;
    // A bailleur just renamed is known (it may have only a register).
    if !renomme && !connus.contains(&a.nom) {
        return Err(user(format!(
            "bailleur inconnu dans le dossier : « {} » (bailleurs du dossier : {})",
            a.nom,
            connus.join(", ")
        )));
    }
    let reservataire = a.reservataire.as_deref().map(|r| reservataire_arg("--reservataire", r)).transpose()?;
    let mut c = d.coordonnees_du_bailleur(&a.nom)?;
    for (champ, v) in [
        (&mut c.adresse, &a.adresse),
        (&mut c.correspondant, &a.correspondant),
        (&mut c.fonction, &a.fonction),
        (&mut c.telephone, &a.telephone),
        (&mut c.courriel, &a.courriel),
    ] {
        if let Some(v) = v {
            *champ = v.trim().to_string();
        }
    }
    if change {
        d.enregistrer_coordonnees_du_bailleur(&a.nom, &c)?;
    }
    if let Some(x) = &a.delai {
        let r = contingents::suivi::parse_regle_delai(x).ok_or_else(|| {
            user(format!("--delai « {x} » : preavis, un-mois ou un nombre de jours ouvrés (1 à 120)"))
        })?;
        contingents::suivi::enregistrer_regle_delai(&d, &a.nom, reservataire.as_deref(), r).map_err(suivi_err)?;
    }
    contingents::suivi::enregistrer_jours_de_la_convention(
        &d,
        &a.nom,
        reservataire.as_deref(),
        a.lundi_pentecote.as_deref().map(|x| x == "travaille"),
        a.vendredi_saint.as_deref().map(|x| x == "travaille"),
    )
    .map_err(suivi_err)?;
    ecrire(format_args!("Bailleur : {}", a.nom))?;
    ecrire(format_args!("Adresse : {}", if c.adresse.is_empty() { "non renseignée" } else { &c.adresse }))?;
    let corr = c.correspondant_complet();
    ecrire(format_args!("Correspondant : {}", if corr.is_empty() { "non renseigné" } else { &corr }))
}
