//! Rule 9, the département level: the State's and the departmental réservataires' logements
//! computed on the sum of the bailleur's flux over the EPCIs of the département, then spread
//! over the EPCIs and their communes by one controlled rounding; the counts given for the
//! département (mutations, soustraits, exclusions without commune) spread over the EPCIs by
//! largest remainder.

use super::*;

/// The value every EPCI gives, when they all give the same (none given counts as a value).
fn commun<T: PartialEq + Clone>(mut vals: impl Iterator<Item = T>) -> Option<T> {
    let first = vals.next()?;
    vals.all(|v| v == first).then_some(first)
}

/// The parameters of one EPCI with those given for the département applied: the rotation rate,
/// the rates of its communes and EPCI, the exclusions in its communes. The counts to spread
/// (mutations, soustraits, exclusions without commune) are applied later.
fn avec_le_departement(
    p: &FluxParametres,
    dep: &FluxParametres,
    epci: &str,
    communes: &BTreeSet<&str>,
) -> FluxParametres {
    let mut e = p.clone();
    // What governs the State's share is the département's: the EPCI's parameters say so.
    e.taux_etat_pct = dep.taux_etat_pct;
    e.taux_fonctionnaires_pct = dep.taux_fonctionnaires_pct;
    e.arrete_prefectoral = dep.arrete_prefectoral.clone();
    if dep.rotation_pct.is_some() {
        e.rotation_pct = dep.rotation_pct;
        e.baux_signes.clear();
    }
    for (id, t) in &dep.taux_fixes {
        let ici = match (PorteeId::Commune.code(id), PorteeId::Epci.code(id)) {
            (Some(c), _) => communes.contains(c),
            (_, Some(s)) => s == epci,
            _ => false,
        };
        if ici {
            e.taux_fixes.insert(id.clone(), *t);
        }
    }
    e.apports.extend(dep.apports.iter().cloned());
    for x in &dep.exclusions_manuelles {
        if x.commune.as_deref().is_some_and(|c| communes.contains(c)) {
            e.exclusions_manuelles.push(x.clone());
        }
    }
    if dep.mutations_pct.is_some() {
        e.mutations_pct = dep.mutations_pct;
        e.mutations = None;
    }
    if !dep.justification_mutations.trim().is_empty() {
        e.justification_mutations = dep.justification_mutations.clone();
    }
    for c in &Soustrait::ALL[1..] {
        let j = dep.justification(*c);
        if !j.is_empty() {
            e.fixer_justification(*c, &j);
        }
    }
    e
}

/// The parameters that govern the departmental réservataires: those given for the département,
/// else the value every EPCI gives (a value that differs between EPCIs is not chosen: the
/// default applies, with an alert).
fn parametres_du_departement(
    dep: &FluxParametres,
    epcis: &[&FluxParametres],
    alertes: &mut Vec<Alerte>,
) -> FluxParametres {
    let mut p = dep.clone();
    let mut differe = |quoi: &str| {
        alertes.push(
            Alerte::new(
                Regle::ParametreAConfirmer,
                format!("{quoi} : différente d'un EPCI à l'autre ; saisissez-la pour le département (la valeur par défaut s'applique)"),
            )
            .pour(&ETAT),
        )
    };
    if p.taux_etat_pct.is_none() {
        match commun(epcis.iter().map(|e| e.taux_etat_pct)) {
            Some(v) => p.taux_etat_pct = v,
            None => differe("part de l'État"),
        }
    }
    if p.taux_fonctionnaires_pct.is_none() {
        match commun(epcis.iter().map(|e| e.taux_fonctionnaires_pct)) {
            Some(v) => p.taux_fonctionnaires_pct = v,
            None => differe("part des fonctionnaires"),
        }
    }
    if p.arrete_prefectoral.is_none() {
        p.arrete_prefectoral = commun(epcis.iter().map(|e| e.arrete_prefectoral.clone())).flatten();
    }
    let ids: BTreeSet<&Reservataire> =
        epcis.iter().flat_map(|e| e.taux_fixes.keys()).filter(|id| est_departemental(id)).collect();
    for id in ids {
        if !p.taux_fixes.contains_key(id)
            && let Some(Some(t)) = commun(epcis.iter().map(|e| e.taux_fixes.get(id).copied()))
        {
            p.taux_fixes.insert(id.clone(), t);
        }
    }
    p
}

/// The flux of a bailleur on a département (rule 9). `epcis`: each EPCI where the bailleur has
/// dwellings in the département, with its dwellings and its own saved parameters; `dep`: the
/// parameters given for the département (they apply to every EPCI where they are given).
pub fn calculer_departement(
    bailleur: &str,
    departement: &str,
    annee: i32,
    epcis: &[(String, Vec<Groupe>, FluxParametres)],
    dep: &FluxParametres,
) -> Flux {
    let mut alertes_dep = Vec::new();
    let p_dep = parametres_du_departement(dep, &epcis.iter().map(|(_, _, p)| p).collect::<Vec<_>>(), &mut alertes_dep);
    // Each EPCI on its communes of the département, with the département's parameters.
    let mut entrees: Vec<Entree> = epcis
        .iter()
        .map(|(e, g, p)| {
            let g: Vec<Groupe> = g
                .iter()
                .filter(|x| reference().commune(&x.commune).is_none_or(|c| c.departement == departement))
                .cloned()
                .collect();
            let communes: BTreeSet<&str> = g.iter().map(|x| x.commune.as_str()).collect();
            let p = avec_le_departement(p, &p_dep, e, &communes);
            Entree { epci: e.clone(), base: Base::new(&g, &p), p }
        })
        .collect();
    // Exclusions given for the département without a commune: over the EPCIs by their assiettes
    // (by the réservataire's stock when one is named), then within each EPCI by rule 10.
    for x in p_dep.exclusions_manuelles.iter().filter(|x| x.commune.is_none()) {
        let w: Vec<f64> = entrees
            .iter()
            .map(|e| match &x.reservataire {
                Some(id) => e.base.stock(id) as f64,
                None => e.base.assiette() as f64,
            })
            .collect();
        for (e, n) in entrees.iter_mut().zip(largest_remainder(x.logements, &w)) {
            let part = ExclusionManuelle { logements: n, ..x.clone() };
            e.base.exclure(&part);
            e.p.exclusions_manuelles.push(part);
        }
    }
    // Counts given for the département: over the EPCIs by their libérations.
    let lib: Vec<f64> = entrees.iter().map(|e| liberations(e.base.assiette(), &e.p, &mut vec![]).0 as f64).collect();
    if let Some(n) = p_dep.mutations {
        for (e, m) in entrees.iter_mut().zip(largest_remainder(n, &lib)) {
            e.p.mutations = Some(m);
            e.p.mutations_pct = None;
        }
    } else if p_dep.mutations_pct.is_none()
        && let Some(n) = p_dep.mutations_cus
    {
        for (e, m) in entrees.iter_mut().zip(largest_remainder(n, &lib)) {
            e.p.mutations_cus = Some(m);
        }
    }
    for c in &Soustrait::ALL[1..] {
        if let Some(n) = p_dep.soustrait(*c) {
            for (e, m) in entrees.iter_mut().zip(largest_remainder(n, &lib)) {
                e.p.fixer_soustrait(*c, m);
            }
        }
    }
    // The département's assiette and the departmental réservataires' stocks in it.
    let mut d = Departemental { code: departement.to_string(), assiette: 0, stocks: BTreeMap::new(), p: p_dep.clone() };
    for e in &entrees {
        d.assiette += e.base.assiette();
        for c in &e.base.communes {
            for (id, n) in &c.stocks {
                if est_departemental(id) {
                    *d.stocks.entry(id.clone()).or_default() += n;
                }
            }
        }
    }
    let calcul = moteur(bailleur, annee, &entrees, Some(&d));
    somme(bailleur, departement, annee, calcul, &d, alertes_dep)
}

/// The département's flux: the sum of its EPCIs, the departmental réservataires with their
/// departmental totals, the State's alerts once.
fn somme(
    bailleur: &str,
    departement: &str,
    annee: i32,
    calcul: Calcul,
    d: &Departemental,
    alertes_dep: Vec<Alerte>,
) -> Flux {
    let Calcul { epcis: par_epci, alertes_etat, etat, etat_hors_qpv } = calcul;
    let mut total = Flux {
        bailleur: bailleur.into(),
        epci: None,
        departement: Some(departement.into()),
        annee,
        parc: 0,
        exclus: 0,
        exclusions: BTreeMap::new(),
        assiette: 0,
        taux_rotation: 0.0,
        liberations: 0,
        soustraits: BTreeMap::new(),
        flux: 0,
        parametres_a_confirmer: false,
        reservataires: vec![],
        communes: vec![],
        flux_qualifie: BTreeMap::new(),
        etat_hors_qpv,
        alertes: vec![],
        epcis: vec![],
        parametres: d.p.clone(),
    };
    let mut qualifie: BTreeMap<String, BTreeMap<Cle, u64>> = BTreeMap::new();
    for f in &par_epci {
        total.parc += f.parc;
        total.exclus += f.exclus;
        total.assiette += f.assiette;
        total.liberations += f.liberations;
        total.flux += f.flux;
        total.parametres_a_confirmer |= f.parametres_a_confirmer;
        for (m, n) in &f.exclusions {
            *total.exclusions.entry(m.clone()).or_default() += n;
        }
        for (m, n) in &f.soustraits {
            *total.soustraits.entry(m.clone()).or_default() += n;
        }
        for part in &f.reservataires {
            match total.reservataires.iter_mut().find(|x| x.id == part.id) {
                Some(x) => {
                    x.logements += part.logements;
                    if !matches!(x.perimetre, Perimetre::Departement(_)) && x.perimetre != part.perimetre {
                        x.stock += part.stock;
                        x.assiette += part.assiette;
                        x.taux = if x.assiette > 0 { x.stock as f64 / x.assiette as f64 } else { x.taux };
                    }
                    x.taux_reduit = x.taux_reduit.or(part.taux_reduit);
                }
                None => total.reservataires.push(part.clone()),
            }
        }
        total.communes.extend(f.communes.iter().cloned());
        for (id, cells) in &f.flux_qualifie {
            for c in cells {
                *qualifie.entry(id.clone()).or_default().entry((c.financement, c.typologie, c.qpv)).or_default() +=
                    c.logements;
            }
        }
        let nom = nom_epci(f.epci.as_deref().unwrap_or_default());
        total.alertes.extend(
            f.alertes
                .iter()
                .filter(|a| !alertes_etat.contains(a))
                .map(|a| Alerte { detail: format!("{nom} — {}", a.detail), ..a.clone() }),
        );
    }
    total.alertes.extend(alertes_etat);
    total.alertes.extend(alertes_dep.iter().cloned());
    // Non réservé last, the State first: the order of one EPCI's parts, merged.
    let rang = |id: &str| match PorteeId::de(id) {
        PorteeId::Etat => 0,
        PorteeId::Fonctionnaires => 1,
        PorteeId::NonReserve => 3,
        PorteeId::ActionLogement
        | PorteeId::Defense
        | PorteeId::Commune
        | PorteeId::Epci
        | PorteeId::Departement
        | PorteeId::Region
        | PorteeId::Autre
        | PorteeId::Inconnue => 2,
    };
    total.reservataires.sort_by(|a, b| rang(&a.id).cmp(&rang(&b.id)).then(a.id.cmp(&b.id)));
    for part in total.reservataires.iter_mut() {
        if part.id == NON_RESERVE {
            part.perimetre = Perimetre::Departement(departement.into());
            part.assiette = d.assiette;
            part.taux = if total.flux > 0 { part.logements as f64 / total.flux as f64 } else { 0.0 };
        }
    }
    debug_assert_eq!(total.logements_etat(), etat.s_total);
    total.taux_rotation = if total.assiette > 0 { total.liberations as f64 / total.assiette as f64 } else { 0.0 };
    total.flux_qualifie = qualifie
        .into_iter()
        .map(|(id, cells)| {
            let v = cells
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|((financement, typologie, qpv), logements)| CelluleQualifiee {
                    financement,
                    typologie,
                    qpv,
                    logements,
                })
                .collect();
            (id, v)
        })
        .collect();
    total.epcis = par_epci;
    for f in total.epcis.iter_mut() {
        f.alertes.extend(alertes_dep.iter().cloned());
    }
    total
}
