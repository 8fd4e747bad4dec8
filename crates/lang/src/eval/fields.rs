//! How the evaluator reads a model: an entity's or a section's fields as
//! values, the places findings point at, and values as messages show them.

use super::*;

impl<'a> Evaluator<'a> {
    pub(super) fn node_of(&self, value: &Val<'_>) -> Option<NodeIndex> {
        match value {
            Val::Entity(id) => Some(self.model.node(*id)),
            Val::Section(_) => Some(self.model.proposal_node()),
            _ => None,
        }
    }

    /// The value of `object.member`.
    pub(super) fn member(&self, object: &Val<'a>, member: &Member) -> Val<'a> {
        let model: &'a Model<'a> = self.model;
        match (object, member) {
            (Val::Entity(id), Member::Name) => Val::Text(model.entity(*id).name),
            (Val::Entity(id), Member::Kind) => match &model.entity(*id).kind {
                Some(kind) => Val::Word(kind, None),
                None => Val::Missing,
            },
            (Val::Entity(_) | Val::Section(_), Member::Field(_)) => {
                match self.field_value(object, member) {
                    Some((value, field)) => self.value(value, field),
                    None => Val::Missing,
                }
            }
            (Val::Edge(edge), Member::From | Member::To) => {
                let node = if *member == Member::From {
                    edge.from
                } else {
                    edge.to
                };
                match model.entity_at(node) {
                    Some(id) => Val::Entity(id),
                    None => Val::Section(assure_vocab::HEADER),
                }
            }
            (Val::Edge(edge), Member::Qualifier) => match model
                .reference_from(edge.from, edge.edge)
                .and_then(|r| r.qualifier())
            {
                Some(qualifier) => self.value(&qualifier.value, None),
                None => Val::Missing,
            },
            (Val::Word(_, Some(date)), Member::Date) => Val::Date(*date),
            _ => Val::Missing,
        }
    }

    pub(super) fn field_value(
        &self,
        object: &Val<'a>,
        member: &Member,
    ) -> Option<(&'a Value<'a>, Option<FieldId>)> {
        let field = self.field_of(object, member)?;
        Some((&field.value, Some(field.field)))
    }

    /// Whether the field `member` of `object` was written with a value
    /// that could not be used.
    pub(super) fn is_unusable(&self, object: &Val<'a>, member: &Member) -> bool {
        self.field_id(object, member)
            .is_some_and(|(holder, field)| self.model.is_unusable(holder, field))
    }

    /// The field `member` of `object` names, and whose it is.
    pub(super) fn field_id(&self, object: &Val<'a>, member: &Member) -> Option<(Holder, FieldId)> {
        let Member::Field(lookup) = member else {
            return None;
        };
        match object {
            Val::Entity(id) => {
                let ty = self.model.entity(*id).ty;
                lookup
                    .entity
                    .get(ty.0 as usize)
                    .copied()
                    .flatten()
                    .map(|field| (Holder::Entity(*id), field))
            }
            Val::Section(section) => lookup
                .section
                .get(section.0 as usize)
                .copied()
                .flatten()
                .map(|field| (Holder::Section(*section), field)),
            _ => None,
        }
    }

    pub(crate) fn field_of(
        &self,
        object: &Val<'a>,
        member: &Member,
    ) -> Option<&'a assure_model::FieldValue<'a>> {
        let model: &'a Model<'a> = self.model;
        let Member::Field(lookup) = member else {
            return None;
        };
        match object {
            Val::Entity(id) => {
                let entity = model.entity(*id);
                let field = (*lookup.entity.get(entity.ty.0 as usize)?)?;
                model.fields(*id).get(field)
            }
            Val::Section(section) => {
                let field = (*lookup.section.get(section.0 as usize)?)?;
                model.section_fields(*section).get(field)
            }
            _ => None,
        }
    }

    pub(super) fn value(&self, value: &'a Value<'a>, field: Option<FieldId>) -> Val<'a> {
        match value {
            Value::Text(text) => Val::Text(text),
            Value::Number(n) => Val::Number(*n),
            Value::Percent(n) => Val::Percent(*n),
            Value::Money(money) => Val::Money(Decimal::from(money.pence), money.annual),
            Value::Date(date) => Val::Date(*date),
            Value::Duration(duration) => Val::Duration(*duration),
            Value::Bool(b) => Val::Bool(*b),
            Value::Word { word, date } => Val::Word(word, date.map(|(d, _)| d)),
            Value::Words(words) => {
                self.build_list(|items| items.extend(words.iter().map(|w| Val::Word(w, None))))
            }
            Value::Refs(references) => {
                let references = self.model.references(references);
                let many = field.is_some_and(|f| {
                    matches!(&self.vocabulary.field(f).ty, assure_vocab::ValueType::Ref(r) if r.many)
                });
                if many {
                    self.build_list(|targets| {
                        targets.extend(
                            references
                                .iter()
                                .filter_map(|r| r.target().map(Val::Entity)),
                        );
                    })
                } else {
                    references
                        .iter()
                        .find_map(|r| r.target())
                        .map_or(Val::Missing, Val::Entity)
                }
            }
        }
    }

    /// Where a place expression points, if anywhere: a field's value, a
    /// name, a heading, a link's reference, the first of a list of these.
    pub fn place(&self, code: &'a Code, frame: &mut Frame<'a>) -> Option<Span> {
        self.place_op(&code.0, frame)
    }

    pub(super) fn place_op(&self, op: &'a Op, frame: &mut Frame<'a>) -> Option<Span> {
        match op {
            Op::Member(object, member @ Member::Field(_)) => {
                let object = self.eval_op(object, frame);
                self.field_of(&object, member)
                    .map(|f| f.value_span)
                    .or_else(|| {
                        // Written with a value that could not be used, or
                        // with filler: there.
                        let (holder, field) = self.field_id(&object, member)?;
                        self.model
                            .unusable_at(holder, field)
                            .or_else(|| self.model.filler_at(holder, field))
                    })
            }
            Op::Member(object, Member::Kind) => match self.eval_op(object, frame) {
                Val::Entity(id) => {
                    let entity = self.model.entity(id);
                    let kind_field = self.vocabulary.entity_type(entity.ty).kind_field;
                    kind_field
                        .and_then(|f| self.model.fields(id).get(f))
                        .map(|f| f.value_span)
                        .or(Some(entity.heading))
                }
                _ => None,
            },
            Op::Member(object, Member::Name) => match self.eval_op(object, frame) {
                Val::Entity(id) => Some(self.model.entity(id).name_span),
                _ => None,
            },
            Op::Member(object, Member::Date) => {
                if let Op::Member(owner, member @ Member::Field(_)) = object.as_ref() {
                    let owner = self.eval_op(owner, frame);
                    match self.field_of(&owner, member) {
                        Some(assure_model::FieldValue {
                            value:
                                Value::Word {
                                    date: Some((_, span)),
                                    ..
                                },
                            ..
                        }) => Some(*span),
                        Some(field) => Some(field.value_span),
                        None => None,
                    }
                } else {
                    self.place_op(object, frame)
                }
            }
            Op::Call(builtin, args) => match &builtin.form {
                Form::Place { place, .. } => place(self, args, frame),
                _ => {
                    let value = self.eval_op(op, frame);
                    self.place_of_value(&value)
                }
            },
            Op::Coalesce(left, right) => match self.place_op(left, frame) {
                Some(span) => Some(span),
                None => self.place_op(right, frame),
            },
            Op::If(condition, then, otherwise) => {
                if self.eval_op(condition, frame).truthy() {
                    self.place_op(then, frame)
                } else {
                    self.place_op(otherwise, frame)
                }
            }
            other => {
                let value = self.eval_op(other, frame);
                self.place_of_value(&value)
            }
        }
    }

    pub(super) fn place_of_value(&self, value: &Val<'_>) -> Option<Span> {
        match value {
            Val::Edge(edge) => self.model.edge(edge.edge).map(|edge| edge.span),
            Val::Entity(id) => Some(self.model.entity(*id).heading),
            Val::List(items) => items.first().and_then(|item| self.place_of_value(item)),
            _ => None,
        }
    }

    /// [`Evaluator::display`] for a message: a long list shows its first
    /// items and how many more, so that a message stays readable and its
    /// length bounded however many entities a rule reaches (a conflict
    /// across a cluster of thousands named every one of them).
    pub(super) fn display_in_message(&self, value: &Val<'_>) -> String {
        match value {
            Val::List(items) if items.len() > MESSAGE_ITEMS => {
                let shown: Vec<String> = items[..MESSAGE_ITEMS - 1]
                    .iter()
                    .map(|item| self.display(item))
                    .collect();
                let more = items.len() - (MESSAGE_ITEMS - 1);
                format!(
                    "{} and {} more",
                    shown.join(", "),
                    assure_model::value::format_number(Decimal::from(more))
                )
            }
            other => self.display(other),
        }
    }

    /// A value as a commissioner would read it in a message.
    pub fn display(&self, value: &Val<'_>) -> String {
        match value {
            Val::Missing => "none".to_owned(),
            Val::Bool(true) => "yes".to_owned(),
            Val::Bool(false) => "no".to_owned(),
            Val::Number(n) => assure_model::value::format_number(n.round_dp(2)),
            Val::Percent(n) => format!("{}%", n.round_dp(2).normalize()),
            Val::Money(pence, annual) => crate::value::money_text(*pence, *annual),
            Val::Duration(d) => d.to_string(),
            // As the value writes itself: a range, if an end lacks its day.
            Val::Elapsed(..) | Val::Date(_) => value.to_string(),
            Val::Text(t) | Val::Word(t, _) => (*t).to_owned(),
            Val::Owned(t) => t.to_string(),
            Val::Entity(id) => self.model.entity(*id).name.to_string(),
            Val::Section(section) => self.vocabulary.section(*section).id.clone(),
            Val::Edge(edge) => {
                let target = self.model.entity_at(edge.to);
                target.map_or_else(String::new, |id| self.model.entity(id).name.to_string())
            }
            Val::List(items) => {
                if items.is_empty() {
                    return "none".to_owned();
                }
                let parts: Vec<String> = items.iter().map(|item| self.display(item)).collect();
                assure_diagnostic::english_list(&parts)
            }
        }
    }
}
