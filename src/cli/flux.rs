//! `contingents flux`: the options read the French way, the engine called, the result
//! printed (text or JSON) and saved only with `--enregistrer`.

use super::*;

/// Applies the parameters given on the command line to those of the dossier.
pub(super) fn apply_flux_args(a: &FluxArgs, p: &mut FluxParametres) -> Result<()> {
    use contingents::format::{parse_entier, parse_pourcentage};
    let pct = |s: &str, what: &str| parse_pourcentage(s).map_err(|e| user(format!("{what} : {e}")));
    if let Some(r) = &a.rotation {
        p.rotation_pct = Some(pct(r, "--rotation")?);
    }
    if let Some(m) = &a.mutations {
        if m.trim().ends_with('%') {
            p.mutations_pct = Some(pct(m, "--mutations")?);
            p.mutations = None;
        } else {
            p.mutations =
                Some(parse_entier(m).map_err(|e| user(format!("--mutations : {e} (ou un pourcentage : 10%)")))?);
            p.mutations_pct = None;
        }
    }
    for (motif, v) in [("relogements", &a.relogements), ("ventes", &a.ventes)] {
        if let Some(v) = v {
            let n = parse_entier(v).map_err(|e| user(format!("--{motif} : {e}")))?;
            p.soustraits.retain(|(m, _, _)| m != motif);
            p.soustraits.push((motif.to_string(), n, "ligne de commande".into()));
        }
    }
    if !a.exclusions.is_empty() {
        p.exclusions_manuelles.clear();
        for e in &a.exclusions {
            p.exclusions_manuelles.push(ExclusionManuelle::parse(e).map_err(user)?);
        }
    }
    for t in &a.taux {
        let (id, v) =
            t.split_once('=').ok_or_else(|| user(format!("--taux « {t} » : attendu ID=PCT, par exemple etat=25")))?;
        let x = pct(v, &format!("--taux {}", id.trim()))?;
        match id.trim() {
            "etat" => p.taux_etat_pct = Some(x),
            "etat-fonctionnaires" => p.taux_fonctionnaires_pct = Some(x),
            other => {
                p.taux_fixes.insert(other.to_string(), x);
            }
        }
    }
    if let Some(f) = &a.fonctionnaires {
        p.taux_fonctionnaires_pct = Some(pct(f, "--fonctionnaires")?);
    }
    p.apports.extend(a.apports.iter().map(|s| s.trim().to_string()));
    if let Some(r) = &a.arrete {
        p.arrete_prefectoral = Some(r.clone()).filter(|r| !r.trim().is_empty());
    }
    Ok(())
}

pub(super) fn flux_command(a: FluxArgs) -> Result<()> {
    let d = if a.enregistrer { Dossier::open(&a.dossier, false) } else { Dossier::open_read_only(&a.dossier) }
        .map_err(store_err)?;
    let given = a.rotation.is_some()
        || a.mutations.is_some()
        || a.relogements.is_some()
        || a.ventes.is_some()
        || !a.exclusions.is_empty()
        || !a.taux.is_empty()
        || a.fonctionnaires.is_some()
        || !a.apports.is_empty()
        || a.arrete.is_some();
    let f = match (&a.epci, &a.departement) {
        (Some(epci), _) => {
            let groupes = contingents::flux::groupes(&d, &a.bailleur, epci)?;
            if groupes.is_empty() {
                return Err(user(format!(
                    "aucun logement du bailleur « {} » sur l'EPCI {epci} dans le dossier",
                    a.bailleur
                )));
            }
            let mut p = contingents::flux::parametres(&d, &a.bailleur, epci, a.annee)?;
            apply_flux_args(&a, &mut p)?;
            contingents::flux::verifier(&groupes, &p).map_err(user)?;
            if a.enregistrer {
                p.annee_source = None;
                contingents::flux::enregistrer_parametres(&d, &a.bailleur, epci, a.annee, &p)?;
            }
            contingents::flux::calculer(&a.bailleur, epci, a.annee, &groupes, &p)
        }
        (None, Some(dep)) => {
            if contingents::reference::reference().departement(dep).is_none() {
                return Err(user(format!("département inconnu « {dep} » : attendu un code comme 06, 83 ou 2A")));
            }
            if a.mutations.as_deref().is_some_and(|m| !m.trim().ends_with('%'))
                || a.relogements.is_some()
                || a.ventes.is_some()
                || a.exclusions.iter().any(|e| !e.contains('@'))
            {
                return Err(user(
                    "avec --departement, les soustraits en nombre et les exclusions sans commune se saisissent EPCI par EPCI (--epci) ; les mutations peuvent être données en pourcentage (10%)",
                ));
            }
            let epcis = contingents::flux::epcis_du_departement(&d, &a.bailleur, dep)?;
            if epcis.is_empty() {
                return Err(user(format!("aucun logement du bailleur « {} » dans le département {dep}", a.bailleur)));
            }
            let mut entrees = Vec::new();
            for e in &epcis {
                let g = contingents::flux::groupes(&d, &a.bailleur, e)?;
                let mut p = contingents::flux::parametres(&d, &a.bailleur, e, a.annee)?;
                let mut own = FluxArgs { exclusions: vec![], ..a.clone() };
                own.exclusions = a
                    .exclusions
                    .iter()
                    .filter(|x| g.iter().any(|g| x.contains(&format!("@{}", g.commune))))
                    .cloned()
                    .collect();
                apply_flux_args(&own, &mut p)?;
                entrees.push((e.clone(), g, p));
            }
            for x in &a.exclusions {
                if !entrees.iter().any(|(_, g, _)| g.iter().any(|g| x.contains(&format!("@{}", g.commune)))) {
                    return Err(user(format!(
                        "exclusion « {x} » : le bailleur n'a aucun logement dans cette commune du département"
                    )));
                }
            }
            for (_, g, p) in &entrees {
                contingents::flux::verifier_departement(g, p).map_err(user)?;
            }
            if a.enregistrer {
                for (e, _, p) in entrees.iter_mut() {
                    p.annee_source = None;
                    contingents::flux::enregistrer_parametres(&d, &a.bailleur, e, a.annee, p)?;
                }
            }
            contingents::flux::calculer_departement(&a.bailleur, dep, a.annee, &entrees)
        }
        (None, None) => return Err(user("précisez --epci SIREN ou --departement CODE")),
    };
    if given && !a.enregistrer {
        eprintln!(
            "Paramètres utilisés pour ce calcul seulement : ajoutez --enregistrer pour les garder dans le dossier."
        );
    }
    let mut out = std::io::stdout().lock();
    match a.format {
        RapprochementFormat::Json => writeln!(out, "{}", serde_json::to_string(&f)?)?,
        RapprochementFormat::Text => write_flux_text(&mut out, &f)?,
    }
    Ok(())
}

pub(super) fn write_flux_text(out: &mut impl Write, f: &contingents::flux::Flux) -> Result<()> {
    use contingents::format::{entier, pourcentage};
    let territoire = match (&f.epci, &f.departement) {
        (Some(e), _) => consolidate::nom_epci(e),
        (_, Some(d)) => format!("département {d}"),
        _ => String::new(),
    };
    writeln!(out, "Flux {} — {} — {territoire}", f.annee, f.bailleur)?;
    writeln!(out, "parc\t{}", entier(f.parc))?;
    for (m, n) in &f.exclusions {
        writeln!(out, "  exclus ({m})\t{}", entier(*n))?;
    }
    writeln!(out, "assiette\t{}", entier(f.assiette))?;
    writeln!(out, "taux de rotation\t{}", pourcentage(f.taux_rotation))?;
    writeln!(out, "libérations\t{}", entier(f.liberations))?;
    for (m, n) in &f.soustraits {
        writeln!(out, "  soustraits ({m})\t{}", entier(*n))?;
    }
    writeln!(out, "flux\t{}", entier(f.flux))?;
    for r in &f.reservataires {
        writeln!(
            out,
            "{}\t{} — stock {} / assiette {}\ttaux {}{}\t{}",
            consolidate::libelle_reservataire(&r.id),
            r.perimetre.libelle(),
            entier(r.stock),
            entier(r.assiette),
            pourcentage(r.taux),
            if r.origine == "defaut" { " (par défaut)" } else { "" },
            contingents::format::logements(r.logements)
        )?;
    }
    for c in &f.communes {
        let detail: Vec<String> = c
            .reservataires
            .iter()
            .filter(|r| r.logements > 0)
            .map(|r| format!("{} {}", consolidate::libelle_reservataire(&r.id), r.logements))
            .collect();
        writeln!(out, "  {} : flux {} — {}", consolidate::nom_commune(&c.commune), c.flux, detail.join(", "))?;
    }
    for a in &f.alertes {
        writeln!(out, "alerte {} : {}", a.regle, a.detail)?;
    }
    Ok(())
}
