/**
 * Characters no text pforte shows to people may hold: control characters, and the bidi
 * overrides and isolates that make text read otherwise than stored ("Kim\u202Egnp.exe").
 */
export const UNSHOWABLE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
