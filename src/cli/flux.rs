//! `contingents flux`: the options read the French way, the engine called, the result
//! printed (text or JSON) and saved only with `--enregistrer`. With `--departement`, the
//! parameters given are the département's (they govern its EPCIs once saved).

use super::*;
use contingents::flux::{OrigineTaux, Soustrait, Specifique};
use contingents::model::Portee;

impl FluxArgs {
    /// The soustraits given, by category (the mutations apart: a number or a percentage).
    fn soustraits(&self) -> [(Soustrait, &Option<String>); 7] {
        [
            (Soustrait::Relogements, &self.relogements),
            (Soustrait::RelogementsHorsAnru, &self.relogements_hors_anru),
            (Soustrait::Insalubres, &self.insalubres),
            (Soustrait::Orcod, &self.orcod),
            (Soustrait::Ventes, &self.ventes),
            (Soustrait::Urgence, &self.urgence),
            (Soustrait::Autres, &self.autres),
        ]
    }

    /// Whether any parameter was given (else the saved ones are shown as they are).
    fn donnes(&self) -> bool {
        self.rotation.is_some()
            || self.mutations.is_some()
            || self.soustraits().iter().any(|(_, v)| v.is_some())
            || !self.justifications.is_empty()
            || !self.exclusions.is_empty()
            || !self.taux.is_empty()
            || self.fonctionnaires.is_some()
            || !self.apports.is_empty()
            || self.arrete.is_some()
            || !self.accords_prefet.is_empty()
            || self.relogements_contributeur.is_some()
            || self.cus.is_some()
            || self.charte_relogement.is_some()
            || self.operations_nouvelles.is_some()
            || !self.logements_specifiques.is_empty()
            || self.commentaires.is_some()
    }
}

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
    for (c, v) in a.soustraits() {
        if let Some(v) = v {
            let n = parse_entier(v).map_err(|e| user(format!("{} : {e}", c.option())))?;
            p.fixer_soustrait(c, n);
        }
    }
    for j in &a.justifications {
        let (c, texte) = j.split_once('=').ok_or_else(|| {
            user(format!("--justification « {j} » : attendu CATEGORIE=TEXTE, par exemple relogements=NPNRU Les Pins"))
        })?;
        let cat = Soustrait::ALL.into_iter().find(|x| x.as_str() == c.trim()).ok_or_else(|| {
            let noms: Vec<&str> = Soustrait::ALL.iter().map(|x| x.as_str()).collect();
            user(format!("--justification : catégorie « {} » inconnue ; attendu {}", c.trim(), noms.join(", ")))
        })?;
        p.fixer_justification(cat, texte);
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
        match Portee::de(id.trim()) {
            Portee::Etat => p.taux_etat_pct = Some(x),
            Portee::Fonctionnaires => p.taux_fonctionnaires_pct = Some(x),
            _ => {
                // Checked with the other parameters (`flux::verifier`), as the window's.
                p.taux_fixes.insert(Reservataire::new(id.trim()), x);
            }
        }
    }
    if let Some(f) = &a.fonctionnaires {
        p.taux_fonctionnaires_pct = Some(pct(f, "--fonctionnaires")?);
    }
    p.apports.extend(a.apports.iter().map(|s| Reservataire::new(s.trim())));
    if let Some(r) = &a.arrete {
        p.arrete_prefectoral = Some(r.clone()).filter(|r| !r.trim().is_empty());
    }
    for x in &a.accords_prefet {
        let (c, reference) = x.split_once('=').ok_or_else(|| {
            user(format!(
                "--accord-prefet « {x} » : attendu CATEGORIE=RÉFÉRENCE, par exemple relogements_hors_anru=courrier du 12/01/2024"
            ))
        })?;
        let cat =
            Soustrait::ALL.into_iter().find(|s| s.as_str() == c.trim() && s.accord_prefet()).ok_or_else(|| {
                let noms: Vec<&str> = Soustrait::ALL.iter().filter(|s| s.accord_prefet()).map(|s| s.as_str()).collect();
                user(format!(
                    "--accord-prefet : « {} » ne demande pas l'accord du préfet ; attendu {}",
                    c.trim(),
                    noms.join(", ")
                ))
            })?;
        if reference.trim().is_empty() {
            p.accords_prefet.remove(cat.as_str());
        } else {
            p.accords_prefet.insert(cat.as_str().to_string(), reference.trim().to_string());
        }
    }
    // A count that may be « not declared »: empty.
    let declare = |v: &str, quoi: &str| -> Result<Option<u64>> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            parse_entier(v).map(Some).map_err(|e| user(format!("{quoi} : {e}")))
        }
    };
    if let Some(v) = &a.relogements_contributeur {
        p.relogements_contributeur = declare(v, "--relogements-contributeur")?;
    }
    let oui_non = |v: &str| match v {
        "oui" => Some(true),
        "non" => Some(false),
        _ => None,
    };
    if let Some(v) = &a.cus {
        p.cus = oui_non(v);
    }
    if let Some(v) = &a.charte_relogement {
        p.charte_relogement = oui_non(v);
    }
    if let Some(v) = &a.operations_nouvelles {
        p.fixer_nouvelles_operations(declare(v, "--operations-nouvelles")?);
    }
    for x in &a.logements_specifiques {
        let noms: Vec<&str> = Specifique::ALL.iter().map(|c| c.as_str()).collect();
        let (c, n) = x.split_once('=').ok_or_else(|| {
            user(format!(
                "--logements-specifiques « {x} » : attendu CATEGORIE=N ({}), par exemple jeunes=12",
                noms.join(", ")
            ))
        })?;
        let cat = Specifique::parse(c).ok_or_else(|| {
            user(format!("--logements-specifiques : catégorie « {} » inconnue ; attendu {}", c.trim(), noms.join(", ")))
        })?;
        p.fixer_specifique(cat, declare(n, &format!("--logements-specifiques {}", cat.as_str()))?);
    }
    if let Some(c) = &a.commentaires {
        p.commentaires = c.trim().to_string();
    }
    let anru = p.soustrait(Soustrait::Relogements).unwrap_or(0);
    if let Some(c) = p.relogements_contributeur.filter(|c| *c > anru) {
        return Err(user(format!(
            "--relogements-contributeur {c} : plus que les relogements ANRU / NPNRU ({anru}, --relogements)"
        )));
    }
    Ok(())
}

pub(super) fn flux_command(a: FluxArgs) -> Result<()> {
    let d = if a.enregistrer { Dossier::open(&a.dossier, false) } else { Dossier::open_read_only(&a.dossier) }
        .map_err(store_err)?;
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
            match contingents::flux::departement_gouvernant(&d, &a.bailleur, &groupes, a.annee)? {
                // Rule 9: the departmental flux saved for the year governs the EPCI.
                Some(dep) => {
                    eprintln!(
                        "Le flux {} de « {} » est enregistré pour le département {dep} : l'EPCI en montre sa part (contingents flux --departement {dep} pour le modifier).",
                        a.annee, a.bailleur
                    );
                    let (mut entrees, p_dep) =
                        contingents::flux::entrees_du_departement(&d, &a.bailleur, &dep, a.annee)?;
                    for (e, _, pe) in entrees.iter_mut() {
                        if e == epci {
                            *pe = p.clone();
                        }
                    }
                    let total = contingents::flux::calculer_departement(&a.bailleur, &dep, a.annee, &entrees, &p_dep);
                    total
                        .de_l_epci(epci)
                        .cloned()
                        .ok_or_else(|| user(format!("EPCI {epci} absent du département {dep}")))?
                }
                None => contingents::flux::calculer(&a.bailleur, epci, a.annee, &groupes, &p),
            }
        }
        (None, Some(dep)) => {
            if contingents::reference::reference().departement(dep).is_none() {
                return Err(user(format!("département inconnu « {dep} » : attendu un code comme 06, 83 ou 2A")));
            }
            let (entrees, mut p) = contingents::flux::entrees_du_departement(&d, &a.bailleur, dep, a.annee)?;
            if entrees.is_empty() {
                return Err(user(format!("aucun logement du bailleur « {} » dans le département {dep}", a.bailleur)));
            }
            apply_flux_args(&a, &mut p)?;
            let tous: Vec<contingents::flux::Groupe> = entrees.iter().flat_map(|(_, g, _)| g.iter().cloned()).collect();
            contingents::flux::verifier_departement(&tous, &p).map_err(user)?;
            if a.enregistrer {
                p.annee_source = None;
                contingents::flux::enregistrer_parametres_du_departement(&d, &a.bailleur, dep, a.annee, &p)?;
            }
            contingents::flux::calculer_departement(&a.bailleur, dep, a.annee, &entrees, &p)
        }
        (None, None) => return Err(user("précisez --epci SIREN ou --departement CODE")),
    };
    if a.donnes() && !a.enregistrer {
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
        (Some(e), Some(d)) => format!("{} (part du flux départemental {d})", consolidate::nom_epci(e)),
        (Some(e), None) => consolidate::nom_epci(e),
        (None, Some(d)) => format!("département {d}"),
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
    for c in Soustrait::ALL {
        let n = f.soustraits.get(c.as_str()).copied().unwrap_or(0);
        writeln!(out, "  soustraits ({})\t{}", c.court(), entier(n))?;
    }
    writeln!(out, "flux\t{}", entier(f.flux))?;
    for r in &f.reservataires {
        let origine = match r.origine {
            OrigineTaux::Defaut => " (par défaut)".to_string(),
            OrigineTaux::Plafonne => {
                format!(" (plafonné ; demandé {})", r.taux_demande.map(pourcentage).unwrap_or_default())
            }
            OrigineTaux::Fixe | OrigineTaux::Stock => String::new(),
        };
        writeln!(
            out,
            "{}\t{} — stock {} / assiette {}\ttaux {}{origine}\t{}",
            consolidate::libelle_reservataire(&r.id),
            r.perimetre.libelle(),
            entier(r.stock),
            entier(r.assiette),
            pourcentage(r.taux),
            contingents::format::logements(r.logements)
        )?;
    }
    for e in &f.epcis {
        let detail: Vec<String> = e
            .reservataires
            .iter()
            .filter(|r| r.logements > 0)
            .map(|r| format!("{} {}", consolidate::libelle_reservataire(&r.id), r.logements))
            .collect();
        // Every soustrait of the EPCI: the mutations always, the others when there are some.
        let soustraits: String = Soustrait::ALL
            .into_iter()
            .filter_map(|c| {
                let n = e.soustraits.get(c.as_str()).copied().unwrap_or(0);
                (c == Soustrait::Mutations || n > 0).then(|| format!(", {} {}", mot(c), entier(n)))
            })
            .collect();
        writeln!(
            out,
            "EPCI {} : libérations {}{soustraits}, flux {} — {}",
            consolidate::nom_epci(e.epci.as_deref().unwrap_or_default()),
            entier(e.liberations),
            entier(e.flux),
            detail.join(", ")
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

/// A soustrait in one or two words, for a line of text (« ventes 2 »).
fn mot(c: Soustrait) -> &'static str {
    match c {
        Soustrait::Mutations => "mutations",
        Soustrait::Relogements => "relogements ANRU",
        Soustrait::RelogementsHorsAnru => "relogements hors ANRU",
        Soustrait::Insalubres => "insalubres",
        Soustrait::Orcod => "ORCOD",
        Soustrait::Ventes => "ventes",
        Soustrait::Urgence => "urgence",
        Soustrait::Autres => "autres",
    }
}
