// Preferences: not built yet; says so instead of showing controls that do nothing.

import { h } from '../dom.js';
import { t } from '../i18n.js';

export default {
  render(container) {
    container.append(h('p', { class: 'card notice' }, t('preferences.comingSoon')));
  },
};
