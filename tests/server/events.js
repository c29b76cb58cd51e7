'use strict';
// Event names, channels and read roles of an Appwrite event, per server generation.
//
// generateEvents() is a literal port of the server's Event::generateEvents (pattern shapes, then
// PHP str_replace over the params IN THEIR ORDER, so the order of the params decides the order of the
// wildcard variants). Database events then get their twins (mirrorCollectionEvents, 1.8.0+; segment
// exact and for TablesDB routes too from 1.9.5) and tablesdb-type databases the 1.9.0 projection.
// Channels follow Adapter\Realtime::fromPayload of each generation, plus the 1.9.5 action channels.

const ACTIONS = ['create', 'update', 'upsert', 'delete'];

// PHP str_replace(array $search, string|array $replace, string $subject): one search key after another.
function strReplace(search, replace, subject) {
    for (let i = 0; i < search.length; i++) {
        const s = search[i];
        if (s === '') continue;
        const r = Array.isArray(replace) ? (replace[i] !== undefined ? replace[i] : '') : replace;
        subject = subject.split(s).join(r);
    }
    return subject;
}

function parseEventPattern(pattern) {
    const parts = pattern.split('.');
    const count = parts.length;
    const type = parts[0] !== undefined ? parts[0] : false;
    const resource = parts[1] !== undefined ? parts[1] : false;
    const hasSub = count > 3 && parts[3].startsWith('[');
    const hasSubSub = count > 5 && parts[5].startsWith('[') && hasSub;
    let subType = false, subResource = false, subSubType = false, subSubResource = false, attribute = false;
    if (hasSub) { subType = parts[2]; subResource = parts[3]; }
    if (hasSubSub) {
        subSubType = parts[4]; subSubResource = parts[5];
        if (count === 8) attribute = parts[7];
    }
    if (hasSub && !hasSubSub && count === 6) attribute = parts[5];
    if (!hasSub && count === 4) attribute = parts[3];
    let action = false;
    if (!hasSub && count > 2) action = parts[2];
    else if (hasSubSub) action = parts[6] !== undefined ? parts[6] : false;
    else if (hasSub && count > 4) action = parts[4];
    return { type, resource, subType, subResource, subSubType, subSubResource, action, attribute };
}

function unique(list) { return Array.from(new Set(list)); }

// params: array of [key, value] pairs, in the order the route sets them.
function generateEvents(pattern, params) {
    const keys = params.map((p) => p[0]);
    const values = params.map((p) => String(p[1]));
    const p = parseEventPattern(pattern);
    const j = (a) => a.join('.');
    let patterns = [];
    for (const r of [p.resource, p.subResource, p.subSubResource]) {
        if (r && !keys.includes(r.replace(/^\[|\]$/g, ''))) throw new Error(r + ' is missing from the params.');
    }
    if (p.action) {
        if (p.subSubResource) {
            if (p.attribute) patterns.push(j([p.type, p.resource, p.subType, p.subResource, p.subSubType, p.subSubResource, p.action, p.attribute]));
            patterns.push(j([p.type, p.resource, p.subType, p.subResource, p.subSubType, p.subSubResource, p.action]));
            patterns.push(j([p.type, p.resource, p.subType, p.subResource, p.subSubType, p.subSubResource]));
        } else if (p.subResource) {
            if (p.attribute) patterns.push(j([p.type, p.resource, p.subType, p.subResource, p.action, p.attribute]));
            patterns.push(j([p.type, p.resource, p.subType, p.subResource, p.action]));
            patterns.push(j([p.type, p.resource, p.subType, p.subResource]));
        } else {
            patterns.push(j([p.type, p.resource, p.action]));
        }
        if (p.attribute) patterns.push(j([p.type, p.resource, p.action, p.attribute]));
    }
    if (p.subSubResource) patterns.push(j([p.type, p.resource, p.subType, p.subResource, p.subSubType, p.subSubResource]));
    if (p.subResource) patterns.push(j([p.type, p.resource, p.subType, p.subResource]));
    patterns.push(j([p.type, p.resource]));
    patterns = unique(patterns);

    const events = [];
    for (const pat of patterns) {
        events.push(strReplace(keys, values, pat));
        events.push(strReplace(keys, '*', pat));
        for (const key of keys) {
            for (const current of keys) {
                if (p.subSubResource) {
                    for (const subCurrent of keys) {
                        if (subCurrent === current || subCurrent === key) continue;
                        events.push(strReplace(keys, values, strReplace([subCurrent], '*', pat)));
                        events.push(strReplace(keys, values, strReplace([current], '*', strReplace([subCurrent], '*', pat))));
                        events.push(strReplace(keys, values, strReplace([current], '*', pat)));
                    }
                } else {
                    if (current === key) continue;
                    events.push(strReplace(keys, values, strReplace([current], '*', pat)));
                }
            }
        }
    }
    return unique(events.map((e) => e.replace(/[[\]]/g, '')));
}

// ---------------------------------------------------------------- database twins

const TO_TABLES = [['documents', 'rows'], ['collections', 'tables'], ['attributes', 'columns']];

// 1.8.0-1.9.0: substring replacement, only when the route is a collections route.
function mirrorSubstring(route, first, events) {
    if (!(route.includes('databases.') && first.includes('collections'))) return events;
    const out = [];
    for (const e of events) {
        out.push(e);
        if (e.includes('collections')) out.push(strReplace(TO_TABLES.map((x) => x[0]), TO_TABLES.map((x) => x[1]), e));
    }
    return out;
}

// 1.9.5+: segment-exact swap in both directions, for collections and tables routes alike.
function swapSegments(name) {
    const segs = name.split('.');
    // Only the fixed positions of the grammar are resource types: 2 and 4 (and 6 for attributes/columns).
    const map = { collections: 'tables', tables: 'collections', documents: 'rows', rows: 'documents', attributes: 'columns', columns: 'attributes' };
    for (const i of [2, 4]) if (segs[i] !== undefined && map[segs[i]]) segs[i] = map[segs[i]];
    return segs.join('.');
}
function mirrorSegments(events) {
    const out = [];
    for (const e of events) {
        out.push(e);
        const segs = e.split('.');
        if (segs.length > 2 && (segs[2] === 'collections' || segs[2] === 'tables')) out.push(swapSegments(e));
    }
    return unique(out);
}

// 1.9.0+ tablesdb-type database: each tablesdb name, then its databases/collections/documents twin,
// then its databases/tables/rows twin.
function tablesdbTwins(events, segmentExact) {
    const out = [];
    for (const e of events) {
        out.push(e);
        const segs = e.split('.');
        if (segs[0] !== 'tablesdb') continue;
        const rows = ['databases'].concat(segs.slice(1)).join('.');
        let docs;
        if (segmentExact) docs = swapSegments(rows);
        else docs = strReplace(['rows', 'tables', 'columns'], ['documents', 'collections', 'attributes'], rows);
        out.push(docs);
        out.push(rows);
    }
    return unique(out);
}

// ---------------------------------------------------------------- event specs

function need(spec, key) {
    if (spec[key] === undefined || spec[key] === null || spec[key] === '') throw new Error('publish: "' + key + '" is required for a ' + spec.event + ' event');
    return String(spec[key]);
}

// Action channels (1.9.5): added when the channel's last or second-to-last segment is one of these.
const ACTION_ROOTS = ['documents', 'rows', 'files', 'executions', 'functions', 'account', 'teams', 'memberships', 'presences'];
function actionChannels(channels, action) {
    if (!ACTIONS.includes(action)) return [];
    const out = [];
    for (const c of channels) {
        const s = c.split('.');
        if (ACTION_ROOTS.includes(s[s.length - 1]) || (s.length > 1 && ACTION_ROOTS.includes(s[s.length - 2]))) out.push(c + '.' + action);
    }
    return out;
}

function readRoles(permissions) {
    const roles = [];
    if (!Array.isArray(permissions)) return roles;
    for (const p of permissions) {
        const m = /^read\("(.*)"\)$/.exec(typeof p === 'string' ? p : '');
        if (m && !roles.includes(m[1])) roles.push(m[1]);
    }
    return roles;
}

// Build {events, channels, roles, project?} for a publish spec on a generation profile `g`.
//   spec.event: document | row | file | account | team | membership | execution | presence | raw
//   spec.action: create | update | upsert | delete (default update)
//   payload permissions (array of strings) is used for default read roles.
function describe(g, spec, payloadPermissions) {
    const action = spec.action || 'update';
    let events = [];
    let channels = [];
    let roles = null;
    let actionable = true; // whether 1.9.5 action channels apply
    switch (spec.event) {
    case 'document':
    case 'row': {
        const db = need(spec, 'databaseId');
        const col = String(spec.collectionId || spec.tableId || need(spec, 'collectionId'));
        const doc = String(spec.documentId || spec.rowId || need(spec, 'documentId'));
        const dbType = spec.dbType || 'legacy';
        const route = spec.route || (spec.event === 'row' ? 'tables' : 'collections');
        // This param order reproduces the server's names exactly (see tests/data/appwrite/E1.json).
        const params = [['tableId', col], ['databaseId', db], ['collectionId', col], ['documentId', doc], ['rowId', doc]];
        if (dbType === 'documentsdb' || dbType === 'vectorsdb') {
            events = generateEvents(dbType + '.[databaseId].collections.[collectionId].documents.[documentId].' + action, params);
            channels = ['documents', dbType + '.' + db + '.collections.' + col + '.documents', dbType + '.' + db + '.collections.' + col + '.documents.' + doc];
            break;
        }
        const colPattern = 'databases.[databaseId].collections.[collectionId].documents.[documentId].' + action;
        const tblPattern = 'databases.[databaseId].tables.[tableId].rows.[rowId].' + action;
        if (dbType === 'tablesdb' && g.tablesdbChannels) {
            events = generateEvents('tablesdb.[databaseId].tables.[tableId].rows.[rowId].' + action, params);
            events = tablesdbTwins(events, g.message);
        } else if (!g.mirror) {
            events = generateEvents(colPattern, params);
        } else if (g.message) {
            events = mirrorSegments(generateEvents(route === 'tables' ? tblPattern : colPattern, params));
        } else {
            const pat = route === 'tables' ? tblPattern : colPattern;
            const ev = generateEvents(pat, params);
            events = mirrorSubstring(pat, ev[0], ev);
        }
        const docs = ['documents', 'databases.' + db + '.collections.' + col + '.documents', 'databases.' + db + '.collections.' + col + '.documents.' + doc];
        const rows = ['rows', 'databases.' + db + '.tables.' + col + '.rows', 'databases.' + db + '.tables.' + col + '.rows.' + doc];
        const tdb = ['tablesdb.' + db + '.tables.' + col + '.rows', 'tablesdb.' + db + '.tables.' + col + '.rows.' + doc];
        if (!g.rowsChannels) channels = docs;
        else if (!g.tablesdbChannels) channels = rows.concat(docs); // 1.8: rows before documents
        else channels = docs.concat(rows, tdb);
        break;
    }
    case 'file': {
        const b = need(spec, 'bucketId');
        const f = need(spec, 'fileId');
        events = generateEvents('buckets.[bucketId].files.[fileId].' + action, [['bucketId', b], ['fileId', f]]);
        channels = ['files', 'buckets.' + b + '.files', 'buckets.' + b + '.files.' + f];
        break;
    }
    case 'account': {
        const u = need(spec, 'userId');
        let pattern;
        const params = [['userId', u]];
        if (spec.sub) { // e.g. {"type":"sessions","key":"sessionId","id":"s1"}
            const key = spec.sub.key || (spec.sub.type.replace(/s$/, '') + 'Id');
            pattern = 'users.[userId].' + spec.sub.type + '.[' + key + '].' + action;
            params.push([key, String(spec.sub.id)]);
            actionable = false; // account.<action> is published only for top-level user events
        } else {
            pattern = 'users.[userId].' + action;
        }
        if (spec.attribute) pattern += '.' + spec.attribute;
        events = generateEvents(pattern, params);
        channels = ['account', 'account.' + u];
        roles = ['user:' + u];
        break;
    }
    case 'team': {
        const t = need(spec, 'teamId');
        let pattern = 'teams.[teamId].' + action;
        if (spec.attribute) pattern += '.' + spec.attribute;
        events = generateEvents(pattern, [['teamId', t]]);
        channels = ['teams', 'teams.' + t];
        roles = ['team:' + t];
        break;
    }
    case 'membership': {
        const t = need(spec, 'teamId');
        const m = need(spec, 'membershipId');
        let pattern = 'teams.[teamId].memberships.[membershipId].' + action;
        if (spec.attribute) pattern += '.' + spec.attribute;
        events = generateEvents(pattern, [['teamId', t], ['membershipId', m]]);
        channels = ['memberships', 'memberships.' + m];
        roles = ['team:' + t];
        break;
    }
    case 'execution': {
        const fn = need(spec, 'functionId');
        const ex = need(spec, 'executionId');
        events = generateEvents('functions.[functionId].executions.[executionId].' + action, [['functionId', fn], ['executionId', ex]]);
        channels = ['console', 'projects.' + (spec.project || 'test'), 'executions', 'executions.' + ex, 'functions.' + fn];
        break;
    }
    case 'presence': {
        if (!g.presence) throw new Error('presence events exist from 1.9.5 on');
        const id = need(spec, 'presenceId');
        events = generateEvents('presences.[presenceId].' + action, [['presenceId', id]]);
        channels = ['presences', 'presences.' + id];
        break;
    }
    case 'raw':
        events = (spec.events || []).map(String);
        channels = (spec.channels || []).map(String);
        actionable = false;
        break;
    default:
        throw new Error('publish: unknown event kind "' + spec.event + '"');
    }
    if (g.actionChannels && actionable) channels = channels.concat(actionChannels(channels, action));
    if (spec.roles) roles = spec.roles.map(String);
    if (!roles) {
        roles = readRoles(payloadPermissions);
        if (roles.length === 0 && payloadPermissions === undefined) roles = ['any'];
    }
    return { events, channels, roles };
}

module.exports = {
    generateEvents, parseEventPattern, strReplace, mirrorSubstring, mirrorSegments, tablesdbTwins,
    actionChannels, readRoles, describe, ACTIONS,
};
