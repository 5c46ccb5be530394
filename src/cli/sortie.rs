//! What the commands print or write: grids, cells, bilans (text, CSV, JSON).

use super::*;
use contingents::format::csv_safe;
use contingents::model::TypologieGrille;

pub(super) fn write_grid(out: &mut impl Write, g: &consolidate::Grille, sep: &str, titre: &str) -> Result<()> {
    let cols: Vec<&str> = TypologieGrille::ALL.iter().map(|t| t.as_str()).collect();
    writeln!(out, "{}{sep}{}{sep}TOTAL", csv_safe(titre), cols.join(sep))?;
    let line = |out: &mut dyn Write, name: &str, vals: Vec<u64>| -> std::io::Result<()> {
        let total: u64 = vals.iter().sum();
        let v: Vec<String> = vals.iter().map(u64::to_string).collect();
        writeln!(out, "{name}{sep}{}{sep}{total}", v.join(sep))
    };
    for f in g.rows() {
        line(out, f.as_str(), TypologieGrille::ALL.iter().map(|t| g.get(f, *t)).collect())?;
    }
    line(out, "TOTAL", TypologieGrille::ALL.iter().map(|t| g.column_total(*t)).collect())?;
    Ok(())
}

/// The `cellules` as a tidy table for a French Excel: UTF-8 with BOM, `;`.
pub fn write_cells_csv(out: &mut impl Write, cells: impl IntoIterator<Item = consolidate::Cellule>) -> Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    w.write_record([
        "bailleur",
        "commune",
        "epci",
        "reservataire",
        "financement",
        "typologie",
        "qpv",
        "individuel_collectif",
        "logements",
    ])?;
    for c in cells {
        w.write_record([
            csv_safe(&c.bailleur),
            csv_safe(&c.commune),
            csv_safe(&c.epci),
            csv_safe(&c.reservataire),
            c.financement.as_str().to_string(),
            c.typologie.as_str().to_string(),
            if c.qpv { "oui" } else { "non" }.to_string(),
            c.individuel_collectif.as_str().to_string(),
            c.logements.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Builds the demo dossier from the files embedded in the binary, through the normal
/// import path; written to a temporary file then renamed, so it is never half-built.
pub(super) fn suivi_err(e: contingents::suivi::SuiviError) -> anyhow::Error {
    use contingents::suivi::SuiviError;
    match e {
        SuiviError::Store(s) => store_err(s),
        e @ SuiviError::SansBailleur(_) => user(format!("{e} : relancez avec --bailleur NOM")),
        e @ SuiviError::Perte(_) => user(format!("{e}. Relancez avec --accepter-perte si c'est voulu")),
        other => user(other),
    }
}

pub(super) fn write_bilan_text(w: &mut impl Write, b: &contingents::suivi::bilan::Bilan) -> Result<()> {
    use contingents::format::{nombre_fr, pourcentage};
    writeln!(
        w,
        "Bilan {} du {} au {}{}",
        b.annee,
        contingents::format::date_fr(&b.debut),
        contingents::format::date_fr(&b.fin),
        b.bailleur.as_ref().map(|x| format!(" — {x}")).unwrap_or_default()
    )?;
    if let Some(m) = b.mention_prorata() {
        writeln!(w, "{m}")?;
    }
    if let Some(m) = b.mention_sans_registre() {
        writeln!(w, "{m}")?;
    }
    writeln!(
        w,
        "réservataire\tobjectif\tà la période\tmis à dispo.\tcandidats\tCALEOL\tattribués\tbaux\tdécomptés\técart\tchute"
    )?;
    for r in &b.reservataires {
        if b.registre_non_transmis() {
            // No realisation known: the objectives only, never zeros and a gap.
            writeln!(
                w,
                "{}\t{}\t{}\t—\t—\t—\t—\t—\t—\t—\t—",
                consolidate::libelle_reservataire(&r.id),
                r.objectif,
                nombre_fr(r.objectif_periode, 1)
            )?;
            continue;
        }
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            consolidate::libelle_reservataire(&r.id),
            r.objectif,
            nombre_fr(r.objectif_periode, 1),
            r.mises_a_disposition,
            r.avec_candidats,
            r.examines_cal,
            r.attributions,
            r.baux_signes,
            r.decomptes,
            nombre_fr(r.ecart, 1),
            // Nothing concluded in the period: no rate.
            if r.mises_a_disposition > r.en_cours { pourcentage(r.taux_chute) } else { "—".into() }
        )?;
    }
    write_cia_du_bilan(w, b)?;
    for (k, v) in &b.hors_flux {
        if v.prevus > 0 || v.realises > 0 {
            writeln!(w, "hors flux {k} : {} prévus, {} réalisés", v.prevus, v.realises)?;
        }
    }
    for a in &b.alertes {
        writeln!(w, "alerte {} : {}", a.regle, a.detail)?;
    }
    for s in &b.signalements {
        writeln!(w, "signalé {}:{} : {}", s.bailleur, s.reference, s.detail)?;
    }
    if !b.rejets.is_empty() {
        writeln!(w, "{} lignes de registre mises de côté", b.rejets.len())?;
    }
    Ok(())
}

/// The CIA objectives of the dossier.
pub(super) fn write_cia_text(w: &mut impl Write, r: &contingents::model::ReglagesCia) -> Result<()> {
    use contingents::format::pourcentage_fr;
    writeln!(w, "Objectifs de la CIA")?;
    writeln!(w, "baux hors QPV au premier quartile\t{}", pourcentage_fr(r.quartile1, 0))?;
    writeln!(w, "baux en QPV aux quartiles 2 à 4\t{}", pourcentage_fr(r.qpv, 0))?;
    writeln!(
        w,
        "publics prioritaires (collectivités, Action Logement, bailleur)\t{} ; État : 100 %",
        pourcentage_fr(r.prioritaires, 0)
    )?;
    for (id, t) in &r.par_reservataire {
        let taux = if *t > 0.0 { pourcentage_fr(*t, 0) } else { "aucun objectif".into() };
        writeln!(w, "publics prioritaires — {}\t{taux}", consolidate::libelle_reservataire(id))?;
    }
    Ok(())
}

fn write_cia_du_bilan(w: &mut impl Write, b: &contingents::suivi::bilan::Bilan) -> Result<()> {
    use contingents::format::pourcentage_fr;
    let part = |p: Option<f64>| p.map(|x| pourcentage_fr(x, 1)).unwrap_or_else(|| "—".into());
    if !b.cia.renseigne {
        writeln!(w, "objectifs CIA : non renseignés (le registre ne dit pas le ménage des baux)")?;
        return Ok(());
    }
    use contingents::suivi::cia::base_dite;
    writeln!(w, "réservataire\tbaux\tprioritaires\tdont DALO\tnon renseignés\tpart\tobjectif\tbase de la part")?;
    for r in &b.reservataires {
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            consolidate::libelle_reservataire(&r.id),
            r.baux_signes,
            r.attributions_prioritaires,
            r.dont_dalo,
            r.non_renseignes,
            part(r.part_prioritaires),
            r.objectif_prioritaires.map(|x| pourcentage_fr(x, 0)).unwrap_or_else(|| "aucun".into()),
            base_dite(r.menages_renseignes, r.baux_signes)
        )?;
    }
    let c = &b.cia;
    writeln!(
        w,
        "hors QPV : {} baux, {} au premier quartile (ou relogés ANRU, ORCOD), {} non renseignés : {} pour {} (base : {})",
        c.hors_qpv.baux,
        c.hors_qpv.premier_quartile,
        c.hors_qpv.non_renseignes,
        part(c.hors_qpv.part),
        pourcentage_fr(c.hors_qpv.objectif, 0),
        base_dite(c.hors_qpv.menages_renseignes, c.hors_qpv.baux)
    )?;
    writeln!(
        w,
        "en QPV : {} baux, {} aux quartiles 2 à 4, {} non renseignés : {} pour {} (base : {})",
        c.qpv.baux,
        c.qpv.quartiles_2_4,
        c.qpv.non_renseignes,
        part(c.qpv.part),
        pourcentage_fr(c.qpv.objectif, 0),
        base_dite(c.qpv.menages_renseignes, c.qpv.baux)
    )?;
    Ok(())
}
