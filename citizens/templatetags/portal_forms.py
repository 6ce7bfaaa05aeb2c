from django import forms, template

register = template.Library()


@register.filter
def control(field):
    """Render a bound field's widget with the Bootstrap class for its kind."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    return field.as_widget(attrs={"class": css})
