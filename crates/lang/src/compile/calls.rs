//! Compiling calls: a built-in's arguments typed and checked (plain, aggregate, traversal, closure), and a pack's own definitions.

use super::*;

impl<'g> Compiler<'g> {
    /// A call: of a built-in, by the form of its entry, or of a
    /// user-defined function.
    pub(super) fn call(
        &mut self,
        name: &str,
        name_span: ExprSpan,
        args: &[Arg],
        span: ExprSpan,
    ) -> Compiled {
        let Some(builtin) = builtins::find(name) else {
            return self.define_call(name, name_span, args, span);
        };
        match &builtin.form {
            Form::Plain { arity, ty, .. } => self.plain_call(builtin, *arity, *ty, args, span),
            Form::Place { ty, .. } => {
                if !self.in_place {
                    return self.error(
                        ErrorKind::Type,
                        name_span,
                        format!("`{name}(...)` names a place, and is allowed only in `primary` and in labels' `at`"),
                        None,
                    );
                }
                self.plain_call(builtin, 1, *ty, args, span)
            }
            Form::Aggregate { ty, .. } => self.aggregate(builtin, *ty, args, span),
            Form::Traversal { ty, .. } => self.traversal(builtin, *ty, args, span),
            Form::Closure { .. } => self.closure(builtin, args, span),
            Form::Given { .. } => {
                let Some(mut compiled) = self.plain_args(builtin.name, args, 1, span) else {
                    return nothing();
                };
                let (op, _) = compiled.remove(0);
                (Op::Given(builtin, Box::new(op)), Ty::Bool)
            }
        }
    }

    pub(super) fn plain_call(
        &mut self,
        builtin: &'static builtins::Builtin,
        arity: usize,
        ty: fn(&mut Args<'_, '_>) -> Ty,
        args: &[Arg],
        span: ExprSpan,
    ) -> Compiled {
        let Some(compiled) = self.plain_args(builtin.name, args, arity, span) else {
            return nothing();
        };
        let (ops, tys): (Vec<Op>, Vec<Ty>) = compiled.into_iter().unzip();
        let spans: Vec<ExprSpan> = args
            .iter()
            .map(|arg| match arg {
                Arg::Expr(e) => e.span,
                _ => span,
            })
            .collect();
        let result = ty(&mut Args {
            typing: &mut self.typing(),
            name: builtin.name,
            tys: &tys,
            spans: &spans,
            ops: &ops,
        });
        (Op::Call(builtin, ops), result)
    }

    pub(super) fn plain_args(
        &mut self,
        name: &str,
        args: &[Arg],
        arity: usize,
        span: ExprSpan,
    ) -> Option<Vec<Compiled>> {
        if args.len() != arity {
            let plural = if arity == 1 { "" } else { "s" };
            self.error(
                ErrorKind::Type,
                span,
                format!(
                    "`{name}` takes {arity} argument{plural}, not {}",
                    args.len()
                ),
                None,
            );
            return None;
        }
        let mut compiled = Vec::with_capacity(args.len());
        for arg in args {
            match arg {
                Arg::Expr(expr) => compiled.push(self.expr(expr)),
                Arg::Generator(generator) => {
                    self.error(
                        ErrorKind::Type,
                        generator.element.span,
                        format!("`{name}` does not take a generator; write a list: `{name}([... for ...])`"),
                        None,
                    );
                    return None;
                }
                Arg::Lambda { param_span, .. } => {
                    self.error(
                        ErrorKind::Type,
                        *param_span,
                        format!("`{name}` does not take a function; only `closure` does"),
                        None,
                    );
                    return None;
                }
            }
        }
        Some(compiled)
    }

    pub(super) fn aggregate(
        &mut self,
        builtin: &'static builtins::Builtin,
        ty: fn(&mut Typing<'_>, &Aggregated) -> Ty,
        args: &[Arg],
        span: ExprSpan,
    ) -> Compiled {
        let name = builtin.name;
        let (comprehension, given) = match args {
            [Arg::Generator(generator)] => {
                let (comprehension, item) = self.generator(generator);
                let given = Aggregated {
                    name,
                    item,
                    span: generator.element.span,
                    generator: true,
                };
                (comprehension, given)
            }
            [Arg::Expr(list)] => {
                let (op, ty) = self.expr(list);
                let item = self.typing().item(&ty, list.span).unwrap_or(Ty::Any);
                // `count(xs)` is `count(x for x in xs)`, with a fresh slot.
                let slot = self.next_slot;
                self.next_slot += 1;
                let comprehension = Comprehension {
                    element: Op::Slot(slot),
                    clauses: vec![(slot, op)],
                    filter: None,
                };
                let given = Aggregated {
                    name,
                    item,
                    span: list.span,
                    generator: false,
                };
                (comprehension, given)
            }
            _ => {
                return self.error(
                    ErrorKind::Type,
                    span,
                    format!("`{name}` takes one list or generator: `{name}(x.f for x in xs)`"),
                    None,
                );
            }
        };
        let result = ty(&mut self.typing(), &given);
        (Op::Aggregate(builtin, Box::new(comprehension)), result)
    }

    pub(super) fn traversal(
        &mut self,
        builtin: &'static builtins::Builtin,
        ty: fn(&Reached) -> Ty,
        args: &[Arg],
        span: ExprSpan,
    ) -> Compiled {
        let name = builtin.name;
        let Some((Arg::Expr(from), fields)) = args.split_first() else {
            return self.error(
                ErrorKind::Type,
                span,
                format!("`{name}` takes an entity and one or more reference fields: `{name}(x, owned-by)`"),
                None,
            );
        };
        if fields.is_empty() {
            return self.error(
                ErrorKind::Type,
                span,
                format!("`{name}` needs at least one reference field after the entity"),
                None,
            );
        }
        let (from_op, from_ty) = self.expr(from);
        if !check::starts_traversal(&from_ty) {
            let message = format!(
                "`{name}` starts from an entity, not {}",
                self.describe(&from_ty)
            );
            self.error(ErrorKind::Type, from.span, message, None);
        }
        let vocabulary = self.globals.vocabulary;
        let mut ids: Vec<FieldId> = Vec::new();
        let mut reached = Reached {
            qualifier: Ty::Missing,
            referrers: Ty::Missing,
        };
        for field in fields {
            let (field_name, field_span) = match field {
                Arg::Expr(Expr {
                    kind: ExprKind::Name(n) | ExprKind::Literal(Literal::Text(n)),
                    span,
                    ..
                }) => (n.as_str(), *span),
                other => {
                    let at = match other {
                        Arg::Expr(e) => e.span,
                        _ => span,
                    };
                    self.error(
                        ErrorKind::Type,
                        at,
                        "name a reference field here, like `owned-by`".to_owned(),
                        None,
                    );
                    continue;
                }
            };
            let before = ids.len();
            for (id, def) in vocabulary.fields() {
                if def.name == field_name
                    && let ValueType::Ref(reference) = &def.ty
                {
                    ids.push(id);
                    let qualifier = reference
                        .qualifier
                        .as_deref()
                        .map_or(Ty::Missing, Ty::of_field);
                    reached.qualifier = reached.qualifier.join(&qualifier);
                    if let Owner::Entity(owner) = def.owner {
                        reached.referrers = reached.referrers.join(&Ty::Entity(Some(owner)));
                    }
                }
            }
            if ids.len() == before {
                let refs: Vec<&str> = vocabulary
                    .fields()
                    .filter(|(_, f)| f.is_edge())
                    .map(|(_, f)| f.name.as_str())
                    .collect();
                let help = closest(field_name, refs.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"));
                self.error(
                    ErrorKind::Name,
                    field_span,
                    format!("no reference field is called `{field_name}`"),
                    help,
                );
            }
        }
        if reached.referrers == Ty::Missing {
            reached.referrers = Ty::Entity(None);
        }
        (
            Op::Traverse(builtin, Box::new(from_op), ids.into()),
            ty(&reached),
        )
    }

    pub(super) fn closure(
        &mut self,
        builtin: &'static builtins::Builtin,
        args: &[Arg],
        span: ExprSpan,
    ) -> Compiled {
        let name = builtin.name;
        let [Arg::Expr(start), Arg::Lambda { param, body, .. }] = args else {
            return self.error(
                ErrorKind::Type,
                span,
                format!("`{name}` takes a start and a step: `{name}(x, o => o.parent)`"),
                None,
            );
        };
        let (start_op, start_ty) = self.expr(start);
        if !check::is_entities(&start_ty) {
            let message = format!("`{name}` walks entities, not {}", self.describe(&start_ty));
            return self.error(ErrorKind::Type, start.span, message, None);
        }
        let slot = self.bind(param, Ty::Entity(None));
        let (step_op, step_ty) = self.expr(body);
        self.scope.pop();
        if !check::is_entities(&step_ty) {
            let message = format!(
                "a `{name}` step must lead to entities, not {}",
                self.describe(&step_ty)
            );
            return self.error(ErrorKind::Type, body.span, message, None);
        }
        let pure = crate::ir::reads_only(&step_op, &mut vec![slot]);
        (
            Op::Walk(builtin, Box::new(start_op), slot, Box::new(step_op), pure),
            Ty::List(Box::new(Ty::Entity(None))),
        )
    }

    pub(super) fn define_call(
        &mut self,
        name: &str,
        name_span: ExprSpan,
        args: &[Arg],
        span: ExprSpan,
    ) -> Compiled {
        let defines = self.globals.defines;
        let Some(index) = defines.iter().position(|d| d.name == name) else {
            let known = builtins::BUILTINS
                .iter()
                .map(|b| b.name)
                .chain(defines.iter().map(|d| d.name.as_str()));
            let help = closest(name, known).map(|s| format!("did you mean `{s}`?"));
            return self.error(
                ErrorKind::Name,
                name_span,
                format!("unknown function `{name}`"),
                help,
            );
        };
        let sig = &defines[index];
        self.reached = self.reached.max(sig.depth);
        let Some(compiled) = self.plain_args(name, args, sig.arity, span) else {
            return nothing();
        };
        (
            Op::Define(
                index as u32,
                compiled.into_iter().map(|(op, _)| op).collect(),
            ),
            sig.ty.clone(),
        )
    }
}
