"""The forms engine: declarative, versioned form definitions (docs/forms.md).

``loader.load(json)`` checks a definition and returns ``model.Definition``;
``evaluate.evaluate(definition, entries, counts, today=…)`` says what is shown, required,
entered and wrong; ``raw`` reads a posted step; ``render`` prepares a step for the template.
"""
