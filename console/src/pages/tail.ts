// Live tail: records as they arrive on every partition of a topic, newest on
// top, the last few hundred kept.

import { topicPath } from '../api.js';
import { h, link, replaceChildren } from '../dom.js';
import { errorBox, type Page } from '../page.js';
import { recordRow, recordTable } from '../record-table.js';
import { tailTopic } from '../record-tail.js';

const KEPT_ROWS = 500;

export const tailPage: Page = async (view, { api, signal }, name) => {
  const status = h('p', { class: 'muted', id: 'tail-status' }, 'starting…');
  const problem = h('div', {});
  const records = recordTable([], 'tail-records');
  const body = records.tBodies[0];
  replaceChildren(view, h('h1', {}, 'Live tail ', link(topicPath(name), name)), status, problem, records);
  let seen = 0;
  try {
    await tailTopic(api, name, signal, {
      onRecords(arrived) {
        replaceChildren(problem);
        seen += arrived.length;
        body.prepend(...arrived.reverse().map(recordRow));
        while (body.rows.length > KEPT_ROWS) body.lastElementChild?.remove();
        status.textContent = `tailing: ${seen} records since the page opened`;
      },
      onError(err) {
        replaceChildren(problem, errorBox(err));
      },
    });
    status.textContent = 'tailing: waiting for records';
  } catch (err) {
    status.textContent = 'not tailing';
    replaceChildren(problem, errorBox(err));
  }
};
