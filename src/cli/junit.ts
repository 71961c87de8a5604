// JUnit XML for CI from policy test results: one <testsuite> per test file, one <testcase> per case.
// Built with fast-xml-parser, which escapes what the case names and messages carry.
import { XMLBuilder } from 'fast-xml-parser';
import { resultLine, type CaseResult } from '../core/policy-tests/run.js';

export interface SuiteResult {
  file: string;
  results: CaseResult[];
}

export function junitXml(suites: SuiteResult[]): string {
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
  const failures = (s: SuiteResult) => s.results.filter((r) => !r.passed).length;
  const tree = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'hitl-gate policy tests',
      '@_tests': suites.reduce((n, s) => n + s.results.length, 0),
      '@_failures': suites.reduce((n, s) => n + failures(s), 0),
      testsuite: suites.map((s) => ({
        '@_name': s.file,
        '@_tests': s.results.length,
        '@_failures': failures(s),
        '@_errors': 0,
        testcase: s.results.map((r) => ({
          '@_name': r.name,
          '@_classname': s.file,
          '@_file': s.file,
          '@_line': r.line,
          ...(r.passed ? {} : { failure: { '@_message': r.failures.join('; '), '@_type': 'policy', '#text': resultLine(r) } }),
        })),
      })),
    },
  };
  return `${builder.build(tree) as string}`;
}
