import Ajv from 'ajv';
import {readFileSync} from 'fs';
import {join} from 'path';

/**
 * The SARIF 2.1.0 schema (@microsoft/jest-sarif ships it) is draft-04; Ajv 8 reads it as draft-07
 * once its draft-04 `id` and `$schema` are dropped (it uses no keyword the two drafts spell differently);
 * one of its patterns (`language`) is not valid as a Unicode regular expression, which Ajv makes by default.
 */
export function sarifValidator() {
  const {id, $schema, ...schema} = JSON.parse(readFileSync(join(__dirname, `../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json`), `utf8`));
  const ajv = new Ajv({allErrors: true, strict: false, unicodeRegExp: false});
  ajv.addFormat(`uri`, value => /^[a-z][a-z0-9+.-]*:/i.test(value) && URL.canParse(value));
  ajv.addFormat(`uri-reference`, value => URL.canParse(value, `file:///`));
  ajv.addFormat(`date-time`, value => !Number.isNaN(Date.parse(value)));
  const validate = ajv.compile(schema);
  return (log: unknown) => validate(log) ? [] : (validate.errors ?? []).map(error => `${error.instancePath} ${error.message}`);
}
