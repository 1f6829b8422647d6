'use strict';
// Name the inputs that scripts build after the <label> of the field they stand for:
// select2's search box and the prose editor's editable area have none of their own.
{
    function labelOf(field) {
        const label = field.labels && field.labels[0];
        if (!label) {
            return null;
        }
        if (!label.id) {
            label.id = `${field.id}_label`;
        }
        return label.id;
    }

    // Tabular-inline cells have no <label>: their inputs carry an aria-label from the server.
    function name(target, field) {
        if (target.hasAttribute('aria-label') || target.hasAttribute('aria-labelledby')) {
            return;
        }
        const id = labelOf(field);
        if (id) {
            target.setAttribute('aria-labelledby', id);
        } else if (field.hasAttribute('aria-label')) {
            target.setAttribute('aria-label', field.getAttribute('aria-label'));
        }
    }

    document.addEventListener('prose-editor:ready', (event) => {
        const {editor, textarea} = event.detail;
        name(editor.view.dom, textarea);
    });

    const $ = window.django && window.django.jQuery;
    if ($ && $.fn.select2) {
        const nameSearch = (select) => {
            const select2 = $(select).data('select2');
            if (!select2) {
                return;
            }
            for (const part of [select2.$container, select2.$dropdown]) {
                part.find('.select2-search__field').each((i, input) => name(input, select));
            }
            // A single select's combobox is named by its current choice only, empty at first.
            const id = labelOf(select);
            select2.$container.find('.select2-selection--single').each((i, box) => {
                const ids = (box.getAttribute('aria-labelledby') || '').split(' ');
                if (id && !ids.includes(id)) {
                    box.setAttribute('aria-labelledby', [id, ...ids].join(' ').trim());
                } else if (!id && select.hasAttribute('aria-label')) {
                    box.removeAttribute('aria-labelledby');
                    box.setAttribute('aria-label', select.getAttribute('aria-label'));
                }
            });
            select2.$container.find('.select2-selection__rendered').each((i, text) => {
                name(text, select);
            });
        };
        const nameAll = (root) => $(root).find('.admin-autocomplete').each((i, s) => nameSearch(s));
        $(() => nameAll(document));
        document.addEventListener('formset:added', (event) => nameAll(event.target));
        $(document).on('select2:open', (event) => nameSearch(event.target));
    }
}
