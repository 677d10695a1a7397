/** Japanese UI text. Every string the user sees lives here, so wording stays consistent. */
export const ja = {
  appName: "まなび+",
  skipToContent: "メインコンテンツへスキップ",
  loading: "読み込み中…",
  retry: "再試行",
  reload: "再読み込み",

  header: {
    userMenu: "ログイン中のユーザー：",
    signOut: "ログアウト",
    signedOut: "ログアウトしました。",
    environment: (env: string) => `環境: ${env}`,
  },

  groups: {
    learners: "就学者",
    teachers: "教師",
    admins: "管理者",
  } as Record<string, string>,

  boot: {
    configError: "設定を読み込めませんでした。しばらくしてから再読み込みしてください。",
  },

  login: {
    title: "ログイン",
    lead: "メールアドレスとパスワードを入力してください。",
    email: "メールアドレス",
    password: "パスワード",
    submit: "ログイン",
    submitting: "ログインしています…",
    emailRequired: "メールアドレスを入力してください。",
    passwordRequired: "パスワードを入力してください。",
    welcome: "ログインしました。",
    sessionExpired: "セッションの有効期限が切れました。もう一度ログインしてください。",
    signedOutElsewhere: "別のタブでログアウトしました。",
    signUpLink: "アカウントを作成",
    forgotLink: "パスワードをお忘れの方",
    confirmed: "メールアドレスを確認しました。ログインしてください。",
    passwordReset: "パスワードを再設定しました。新しいパスワードでログインしてください。",
  },

  password: {
    rulesHeading: "パスワードの条件",
    rules: {
      length: "8文字以上",
      upper: "英大文字（A〜Z）を含む",
      lower: "英小文字（a〜z）を含む",
      number: "数字（0〜9）を含む",
      symbol: "記号（! @ # $ % など）を含む",
    } as Record<string, string>,
    met: "（満たしています）",
    unmet: "（まだ満たしていません）",
    notMet: "パスワードが条件を満たしていません。下の条件を確認してください。",
  },

  signUp: {
    title: "アカウントを作成",
    lead: "メールアドレスとパスワードを登録すると、確認用の検証コードがメールで届きます。",
    email: "メールアドレス",
    password: "パスワード",
    submit: "アカウントを作成",
    submitting: "アカウントを作成しています…",
    emailInvalid: "メールアドレスの形式が正しくありません。",
    haveAccount: "アカウントをお持ちの方はログイン",
  },

  confirm: {
    title: "メールアドレスの確認",
    lead: (email: string) => `${email} に届いた検証コードを入力してください。`,
    leadNoEmail: "メールで届いた検証コードを入力してください。",
    code: "検証コード",
    codeRequired: "検証コードを入力してください。",
    submit: "確認する",
    submitting: "確認しています…",
    resend: "検証コードを再送信",
    resent: "検証コードを再送信しました。",
    missingUser: "確認するアカウントが分かりません。もう一度アカウントを作成してください。",
  },

  forgot: {
    title: "パスワードの再設定",
    lead: "登録したメールアドレスに、再設定用の検証コードを送ります。",
    email: "メールアドレス",
    send: "検証コードを送信",
    sending: "送信しています…",
    sent: (email: string) => `${email} 宛てに検証コードを送信しました（登録がある場合）。`,
    code: "検証コード",
    newPassword: "新しいパスワード",
    submit: "パスワードを再設定",
    submitting: "再設定しています…",
    back: "ログインに戻る",
  },

  mailbox: {
    title: "ローカルのメールボックス",
    lead: "ローカルモードではメールを送信しません。システムが送るはずのメールをここに表示します。",
    empty: "まだメールはありません。",
    to: "宛先",
    subject: "件名",
  },

  authErrors: {
    badCredentials: "メールアドレスまたはパスワードが正しくありません。",
    notConfirmed: "メールアドレスの確認が完了していません。届いた検証コードで確認してください。",
    resetRequired: "パスワードの再設定が必要です。管理者にお問い合わせください。",
    tooManyRequests: "ログインの試行回数が多すぎます。しばらく待ってから、もう一度お試しください。",
    newPasswordRequired: "初回ログインのため、パスワードの変更が必要です。この画面ではまだ変更できません。管理者にお問い合わせください。",
    challenge: "追加の認証手続きが必要ですが、この画面ではまだ対応していません。管理者にお問い合わせください。",
    network: "認証サーバーに接続できませんでした。ネットワーク接続を確認して、もう一度お試しください。",
    unknown: "ログインできませんでした。しばらくしてから、もう一度お試しください。",
    invalidPassword: "パスワードが条件を満たしていません。下の条件を確認してください。",
    invalidParameter: "入力内容を確認してください。",
    codeMismatch: "検証コードが正しくありません。メールに届いたコードを確認してください。",
    expiredCode: "検証コードの有効期限が切れています。検証コードを再送信してください。",
    aliasExists: "このメールアドレスは既に登録されています。ログインするか、パスワードを再設定してください。",
    usernameExists: "このアカウントは既に登録されています。",
    alreadyConfirmed: "このアカウントは既に確認済みです。ログインしてください。",
    accountUnknown: "処理できませんでした。入力内容を確認して、もう一度お試しください。",
  },

  apiErrors: {
    network: "サーバーに接続できませんでした。ネットワーク接続を確認して、もう一度お試しください。",
    forbidden: "この操作を行う権限がありません。",
    notFound: "お探しの情報が見つかりませんでした。",
    server: "サーバーでエラーが発生しました。しばらくしてから、もう一度お試しください。",
    validation: "入力内容を確認してください。",
    unknown: "エラーが発生しました。もう一度お試しください。",
  },

  courses: {
    title: "コース一覧",
    listLabel: "コース",
    empty: "コースはまだありません。",
    loadError: "コースを読み込めませんでした。",
    loadMore: "さらに読み込む",
    loaded: (n: number) => `${n} 件のコースを表示しています。`,
    createdAt: "作成日",
    status: {
      draft: "下書き",
      published: "公開中",
      archived: "アーカイブ",
    } as Record<string, string>,
  },

  createCourse: {
    title: "コースを作成",
    fieldTitle: "タイトル",
    fieldDescription: "説明",
    required: "必須",
    titleHint: "120文字以内",
    descriptionHint: "2000文字以内",
    submit: "コースを作成",
    submitting: "コースを作成しています…",
    // Deliberately without the title: the title must appear only once on the page (in the list).
    created: "コースを作成しました。",
    counter: (n: number, max: number) => `${n} / ${max}`,
  },

  /** Japanese text for a server-side field error, chosen by the violated rule. */
  fieldRules: {
    required: (label: string) => `${label}を入力してください。`,
    tooLong: (label: string, max: number | undefined) =>
      max === undefined ? `${label}が長すぎます。` : `${label}は${max}文字以内で入力してください。`,
    format: (label: string) => `${label}の形式が正しくありません。`,
    unknownField: "送信内容に不明な項目が含まれています。",
    invalid: (label: string) => `${label}の内容が正しくありません。`,
  },

  notFound: {
    title: "ページが見つかりません",
    body: "お探しのページは移動または削除された可能性があります。",
    home: "トップページへ戻る",
  },
} as const;

export const pageTitle = (title: string): string => `${title} | ${ja.appName}`;
