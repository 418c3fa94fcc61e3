// Syntactic grammar of the .nn language, as a Chevrotain CstParser with error recovery.
//
//   file       := (import | model | block | dataset | train)*
//   import     := "import" STRING
//   model      := "model" NAME "{" (input | property | layer)* "}"
//   block      := "block" NAME ("(" args? ")")? "{" (input | layer)* "}"
//   input      := "input" NAME (":" value ("as" NAME)?)?
//   layer      := (NAME ("," NAME)* "=")? NAME ("(" args? ")")? ("(" args? ")")? ("*" NUMBER)?
//   dataset    := "dataset" NAME "=" NAME ("(" args? ")")? block?
//   train      := "train" NAME "on" NAME ("as" NAME)? block
//   block      := "{" (property ","?)* "}"
//   property   := (NAME | STRING) ":" value
//   args       := arg ("," arg)* ","?          arg := (NAME ":")? value
//   value      := number | STRING | true | false | null | list | block | NAME ("(" args? ")")?
//   number     := "-"? NUMBER ("/" NUMBER)?    list := "[" (value ("," value)* ","?)? "]"
import { CstParser, EOF, LLkLookaheadStrategy, type CstNode, type ILookaheadStrategy, type IParserErrorMessageProvider, type IRecognitionException, type TokenType, type IToken } from 'chevrotain';
import * as T from './tokens.js';

function describe(token: IToken): string {
  if (token.tokenType === EOF) return 'end of file';
  // A 1 MB token would make a 1 MB message.
  return '`' + (token.image.length > 60 ? token.image.slice(0, 57) + '...' : token.image) + '`';
}

function label(type: TokenType): string {
  return type.LABEL ?? type.name;
}

function alternatives(paths: TokenType[][][]): string {
  const firsts = [...new Set(paths.flat().map((p) => (p[0] ? label(p[0]) : 'end')))];
  if (firsts.includes('a number') && firsts.includes('a string')) return 'a value';
  if (firsts.length <= 1) return firsts[0] ?? 'something else';
  return firsts.slice(0, -1).join(', ') + ' or ' + firsts[firsts.length - 1];
}

// Messages are the catalog's NN1003 "expected X, found Y" text; src/syntax.ts turns them into diagnostics.
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${label(expected)}, found ${describe(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `expected \`model\`, \`dataset\`, \`train\` or \`import\`, found ${describe(firstRedundant)}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, customUserDescription }) =>
    `expected ${customUserDescription ?? alternatives(expectedPathsPerAlt)}, found ${describe(actual[0])}`,
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, customUserDescription }) =>
    `expected ${customUserDescription ?? alternatives([expectedIterationPaths])}, found ${describe(actual[0])}`,
};

/**
 * Chevrotain's LL(k) lookahead, each function built on its first use instead of all at start-up: a check runs once
 * per process, and a spec reaches only part of the grammar. Grammar validations (tests) use the eager strategy.
 */
type Strategy = ILookaheadStrategy;
type AlternationOptions = Parameters<Strategy['buildLookaheadForAlternation']>[0];
type OptionalOptions = Parameters<Strategy['buildLookaheadForOptional']>[0];
type AlternationLookahead = ReturnType<Strategy['buildLookaheadForAlternation']>;
type OptionalLookahead = ReturnType<Strategy['buildLookaheadForOptional']>;

class LazyLookahead implements Strategy {
  private readonly eager: Strategy;

  constructor(maxLookahead: number) {
    this.eager = new LLkLookaheadStrategy({ maxLookahead });
  }

  validate(options: Parameters<Strategy['validate']>[0]) {
    return this.eager.validate(options);
  }

  initialize(options: Parameters<NonNullable<Strategy['initialize']>>[0]): void {
    this.eager.initialize?.(options);
  }

  buildLookaheadForAlternation(options: AlternationOptions): AlternationLookahead {
    const eager = this.eager;
    let built: AlternationLookahead | undefined;
    return function (this: unknown, alts) {
      built ??= eager.buildLookaheadForAlternation(options);
      return built.call(this, alts);
    };
  }

  buildLookaheadForOptional(options: OptionalOptions): OptionalLookahead {
    const eager = this.eager;
    let built: OptionalLookahead | undefined;
    return function (this: unknown) {
      built ??= eager.buildLookaheadForOptional(options);
      return built.call(this);
    };
  }
}

const MAX_LOOKAHEAD = 3;

const blockKeywords = [T.Train, T.Model, T.Dataset, T.Input, T.Block];

/** Syntax errors after which the parser gives up: each recovery costs time, and past this many the rest are noise. */
export const MAX_SYNTAX_ERRORS = 100;

/** Thrown out of the parser when it records its MAX_SYNTAX_ERRORS-th error. */
export class TooManySyntaxErrors extends Error {}

type SaveError = (this: CstParser, e: IRecognitionException) => IRecognitionException;
// Every recorded error passes through SAVE_ERROR, which chevrotain's typings do not declare.
const saveError = (CstParser.prototype as unknown as { SAVE_ERROR: SaveError }).SAVE_ERROR;

export class NnParser extends CstParser {
  private errorCount = 0;

  /** Grammar validations cost start-up time on every run; the tests run them (`validate: true`). */
  constructor({ validate = false } = {}) {
    super(T.allTokens, {
      recoveryEnabled: true, maxLookahead: MAX_LOOKAHEAD, errorMessageProvider: messages, skipValidations: !validate,
      ...(!validate && { lookaheadStrategy: new LazyLookahead(MAX_LOOKAHEAD) }),
    });
    this.performSelfAnalysis();
  }

  /** Chevrotain resets on every new input. */
  override reset(): void {
    super.reset();
    this.errorCount = 0;
  }

  protected SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const saved = saveError.call(this, error);
    if (++this.errorCount >= MAX_SYNTAX_ERRORS) throw new TooManySyntaxErrors();
    return saved;
  }

  public file = this.RULE('file', () => {
    this.MANY(() =>
      this.OR(
        [
          { ALT: () => this.SUBRULE(this.importDecl) },
          { ALT: () => this.SUBRULE(this.modelDecl) },
          { ALT: () => this.SUBRULE(this.blockDecl) },
          { ALT: () => this.SUBRULE(this.datasetDecl) },
          { ALT: () => this.SUBRULE(this.trainDecl) },
        ],
      ),
    );
  });

  private importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral);
  });

  private modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    this.MANY({
      GATE: () => !blockKeywords.includes(this.LA(1).tokenType) || this.LA(2).tokenType === T.Colon || this.LA(1).tokenType === T.Input,
      DEF: () =>
      this.OR(
        [
          { ALT: () => this.SUBRULE(this.inputStmt) },
          { ALT: () => this.SUBRULE(this.property) },
          { ALT: () => this.SUBRULE(this.layerStmt) },
        ],
      ),
    });
    this.CONSUME(T.RCurly);
  });

  // A reusable group of layers: its parameters (with defaults) are values, its `input` lines name the tensors it takes.
  private blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.argList));
    this.CONSUME(T.LCurly);
    this.MANY({
      GATE: () => !blockKeywords.includes(this.LA(1).tokenType) || this.LA(1).tokenType === T.Input,
      DEF: () => this.OR([
        { ALT: () => this.SUBRULE(this.inputStmt) },
        { ALT: () => this.SUBRULE(this.layerStmt) },
      ]),
    });
    this.CONSUME(T.RCurly);
  });

  // In a block, `input x` names a tensor the block takes; its shape is the one it is given.
  private inputStmt = this.RULE('inputStmt', () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.value);
      this.OPTION2(() => {
        this.CONSUME(T.As);
        this.CONSUME2(T.Identifier, { LABEL: 'dtype' });
      });
    });
  });

  // `y = conv2d(64, 3)(x) * 2`: an optional name for the output, the layer and its arguments, the tensors it
  // takes (else the previous line's), and a repeat count. `out, h, c = lstm(8, return_state: true)` names a
  // recurrent layer's output and its states.
  private layerStmt = this.RULE('layerStmt', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Equals || this.LA(2).tokenType === T.Comma,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'binding' });
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.CONSUME3(T.Identifier, { LABEL: 'stateBinding' });
        });
        this.CONSUME(T.Equals);
      },
    });
    this.CONSUME2(T.Identifier);
    this.OPTION2(() => this.SUBRULE(this.argList));
    this.OPTION3(() => this.SUBRULE2(this.argList, { LABEL: 'inputList' }));
    this.OPTION4(() => {
      this.CONSUME(T.Star);
      this.CONSUME(T.NumberLiteral, { LABEL: 'repeat' });
    });
  });

  private datasetDecl = this.RULE('datasetDecl', () => {
    this.CONSUME(T.Dataset);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Identifier, { LABEL: 'source' });
    this.OPTION(() => this.SUBRULE(this.argList));
    this.OPTION2(() => this.SUBRULE(this.block));
  });

  private trainDecl = this.RULE('trainDecl', () => {
    this.CONSUME(T.Train);
    this.CONSUME(T.Identifier, { LABEL: 'model' });
    this.CONSUME(T.On);
    this.CONSUME2(T.Identifier, { LABEL: 'dataset' });
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME3(T.Identifier, { LABEL: 'alias' });
    });
    this.SUBRULE(this.block);
  });

  private block = this.RULE('block', () => {
    this.CONSUME(T.LCurly);
    this.MANY({
      // A keyword starts a property only when a `:` follows; otherwise it starts the next block, and the
      // error is the `}` missing before it.
      GATE: () => !blockKeywords.includes(this.LA(1).tokenType) || this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.SUBRULE(this.property);
        this.OPTION(() => this.CONSUME(T.Comma));
      },
    });
    this.CONSUME(T.RCurly);
  });

  // A quoted key allows any name, e.g. class weights for `"T-shirt/top"`.
  private property = this.RULE('property', () => {
    // Keywords are fine as keys: `train: "data/train.csv"` in a dataset block.
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'quotedKey' }) },
      { ALT: () => this.CONSUME(T.Train, { LABEL: 'Identifier' }) },
      { ALT: () => this.CONSUME(T.Model, { LABEL: 'Identifier' }) },
      { ALT: () => this.CONSUME(T.Dataset, { LABEL: 'Identifier' }) },
      { ALT: () => this.CONSUME(T.Input, { LABEL: 'Identifier' }) },
      { ALT: () => this.CONSUME(T.Block, { LABEL: 'Identifier' }) },
    ]);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.value);
  });

  private argList = this.RULE('argList', () => {
    this.CONSUME(T.LParen);
    this.commaSeparated(this.arg);
    this.CONSUME(T.RParen);
  });

  private arg = this.RULE('arg', () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: 'key' });
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.value);
  });

  private value = this.RULE('value', () => {
    this.OR(
      [
        { ALT: () => this.SUBRULE(this.numberValue) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.CONSUME(T.Null) },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.SUBRULE(this.call) },
      ],
    );
  });

  private numberValue = this.RULE('numberValue', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLiteral, { LABEL: 'numerator' });
    this.OPTION2(() => {
      this.CONSUME(T.Slash);
      this.CONSUME2(T.NumberLiteral, { LABEL: 'denominator' });
    });
  });

  private list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.commaSeparated(this.value);
    this.CONSUME(T.RBracket);
  });

  /**
   * `(item ("," item)* ","?)?` inside a rule. Not MANY_SEP: after a separator it demands another item, so a trailing
   * comma would be an error.
   */
  private commaSeparated(item: () => CstNode): void {
    this.OPTION(() => {
      this.SUBRULE(item);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(item);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
  }

  private call = this.RULE('call', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.argList));
  });
}

/** One parser for the process: construction runs the grammar analysis, which is the slow part. */
export const parser = new NnParser();
